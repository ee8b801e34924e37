-- wrk script for a paced load: every connection waits WEB_BENCH_DELAY_MS after each response
-- before its next request, so C connections offer about C * 1000 / DELAY requests a second
-- (less the response time: the rate wrk reports is the one achieved, and the one to quote).
local delay_ms = tonumber(os.getenv("WEB_BENCH_DELAY_MS") or "2")

function delay()
    return delay_ms
end
