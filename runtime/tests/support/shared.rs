//! `../shared/data`: real data that other implementations wrote, beside the checkout.

use std::path::{Path, PathBuf};

/// `../shared/data/<sub>`, or `None` when it is not there (the test then passes without
/// checking), unless `RANGEO_REQUIRE_SHARED` is set (the test command sets it where the
/// data is), which makes its absence a failure.
pub(crate) fn shared(sub: &str) -> Option<PathBuf> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(sub);
    if data.is_dir() {
        return Some(data);
    }
    assert!(
        std::env::var_os("RANGEO_REQUIRE_SHARED").is_none(),
        "RANGEO_REQUIRE_SHARED is set but {} is missing",
        data.display()
    );
    None
}
