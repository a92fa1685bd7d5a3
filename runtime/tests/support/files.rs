//! Files: fixtures made by the reference scripts, and copies of fixture directories for
//! tests that change a store.

use std::path::{Path, PathBuf};

/// The STAC items, COGs and expected cubes of `tests/reference/make_stack.py`:
/// `RANGEO_FRESH_STACK` or `build/reference/stack`.
pub(crate) fn stack_fixtures() -> PathBuf {
    let fixtures = std::env::var_os("RANGEO_FRESH_STACK").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../build/reference/stack"),
        PathBuf::from,
    );
    assert!(
        fixtures.join("expected/cubes.json").exists(),
        "no fixtures in {}; make them with `.venv/bin/python tests/reference/make_stack.py`",
        fixtures.display()
    );
    fixtures
}

/// A copy of directory `from` at `to`, recursively.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}
