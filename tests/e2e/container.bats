#!/usr/bin/env bats
# The container runtime: an app's static binary and rootfs as a FROM scratch image under podman.

load helpers

setup_file() {
    require_built_tools
    build_app hello apps/hello
    build_container hello
}

@test "container: the hello image holds only the static binary and the rootfs" {
    run podman image inspect --format '{{len .RootFS.Layers}} {{.Config.Entrypoint}}' \
        localhost/atoll-hello:latest
    assert_status 0
    assert_output_contains "[/hello]"
    run podman run --rm "${PODMAN_RUN_FLAGS[@]}" --network none --entrypoint /hello \
        localhost/atoll-hello:latest
    assert_status 0
    # The rootfs file the unikernel reads is at the same path in the container.
    assert_output_contains "motd: Welcome to Atoll"
    assert_output_contains "goodbye"
    [[ -s $E2E_BUILD/hello/hello.oci.tar ]]
}

@test "container: arguments and environment reach the program as in the unikernel" {
    run podman run --rm "${PODMAN_RUN_FLAGS[@]}" --network none -e GREETING=Howdy \
        localhost/atoll-hello:latest Atoll "two words"
    assert_status 0
    assert_output_contains 'argv[2]: "two words"'
    assert_output_contains "env GREETING: Howdy"
}

@test "container: container_run starts a detached container in a test namespace" {
    local netns="atoll-ct-$$"
    ip netns add "$netns"
    local id
    id="$(container_run "$netns" hello)"
    [[ -n $id ]]
    local deadline=$((SECONDS + 30)) state=""
    while ((SECONDS < deadline)); do
        state="$(podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$id")"
        [[ $state == exited* ]] && break
    done
    run podman logs "$id"
    container_stop "$id"
    ip netns del "$netns"
    [[ $state == "exited 0" ]]
    assert_output_contains "goodbye"
}
