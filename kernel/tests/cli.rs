//! The `rangeo-kernel` command line: install and uninstall the kernelspec.

use std::process::Command;

/// One runtime build shared by every run of these tests (re-installing is incremental).
fn runtime_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("runtime")
}

/// The workspace's target directory, where `scripts/test.sh` has already compiled the
/// runtime (its install step): the test's install finds it compiled.
fn cargo_target_dir() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
}

fn kernel() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rangeo-kernel"))
}

#[test]
fn install_writes_a_complete_kernelspec_and_uninstall_removes_it() {
    let prefix = tempfile::tempdir().unwrap();
    let status = kernel()
        .args(["install", "--prefix"])
        .arg(prefix.path())
        .args(["--name", "rangeo-test", "--runtime-dir"])
        .arg(runtime_dir())
        .arg("--cargo-target-dir")
        .arg(cargo_target_dir())
        .status()
        .unwrap();
    assert!(status.success());

    let dir = prefix.path().join("share/jupyter/kernels/rangeo-test");
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("kernel.json")).unwrap()).unwrap();
    let binary = std::path::Path::new(spec["argv"][0].as_str().unwrap());
    assert!(binary.is_absolute() && binary.is_file(), "{binary:?}");
    assert_eq!(
        spec["argv"].as_array().unwrap()[1..],
        [
            serde_json::json!("run"),
            serde_json::json!("--connection-file"),
            serde_json::json!("{connection_file}")
        ]
    );
    assert_eq!(spec["display_name"], "Rust (rangeo)");
    assert_eq!(spec["interrupt_mode"], "message");
    assert!(spec["env"]["PATH"].as_str().unwrap().ends_with("${PATH}"));
    let runtime = std::path::Path::new(spec["env"]["RANGEO_RUNTIME"].as_str().unwrap());
    assert!(
        runtime.join("runtime.json").is_file(),
        "{runtime:?} holds a built runtime"
    );
    for logo in ["logo-32x32.png", "logo-64x64.png"] {
        let bytes = std::fs::read(dir.join(logo)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{logo} is a PNG");
        let size = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        assert_eq!(logo, format!("logo-{size}x{size}.png"));
    }
    assert!(
        std::fs::read_to_string(dir.join("logo-svg.svg"))
            .unwrap()
            .starts_with("<svg")
    );

    let status = kernel()
        .args(["uninstall", "--prefix"])
        .arg(prefix.path())
        .args(["--name", "rangeo-test"])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(!dir.exists());
}

#[test]
fn uninstalling_what_is_not_there_fails_with_a_message() {
    let prefix = tempfile::tempdir().unwrap();
    let out = kernel()
        .args(["uninstall", "--prefix"])
        .arg(prefix.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no kernelspec at"), "{stderr}");
}

#[test]
fn a_missing_connection_file_is_named_in_the_error() {
    let out = kernel()
        .args(["run", "--connection-file", "/nonexistent/kernel-1.json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot read connection file /nonexistent/kernel-1.json"),
        "{stderr}"
    );
}
