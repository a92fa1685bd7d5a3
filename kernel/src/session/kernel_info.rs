//! The `kernel_info_reply`, the same on shell and control.

use std::sync::OnceLock;

use jupyter_protocol::{JupyterMessageContent, UnknownMessage};
use serde_json::json;

use crate::wire::PROTOCOL_VERSION;

/// The reply content. `supported_features` (protocol 5.5) is not in jupyter-protocol's
/// typed reply, so the reply is written as JSON here.
pub(super) fn reply() -> JupyterMessageContent {
    let version = env!("CARGO_PKG_VERSION");
    let rustc = rustc_version();
    JupyterMessageContent::UnknownMessage(UnknownMessage {
        msg_type: "kernel_info_reply".into(),
        content: json!({
            "status": "ok",
            "protocol_version": PROTOCOL_VERSION,
            "implementation": "rangeo",
            "implementation_version": version,
            "language_info": {
                "name": "rust",
                "version": rustc,
                "mimetype": "text/rust",
                "file_extension": ".rs",
                "pygments_lexer": "rust",
                "codemirror_mode": "rust",
                "nbconvert_exporter": "rust",
            },
            "banner": format!(
                "rangeo {version}: Rust cells compiled by rustc {rustc} against the rangeo runtime,\n\
                 whose prelude is in scope. `:help` lists the commands; `:dep` adds a crate."
            ),
            "help_links": [
                {"text": "Rust standard library", "url": "https://doc.rust-lang.org/std/"},
                {"text": "rangeo", "url": "https://docs.rs/rangeo"},
            ],
            "debugger": false,
            "supported_features": [],
        }),
    })
}

/// The version of the rustc that compiles cells, asked once.
fn rustc_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        std::process::Command::new("rustc")
            .arg("--version")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .and_then(|text| text.split_whitespace().nth(1).map(str::to_owned))
            .unwrap_or_else(|| "unknown".to_owned())
    })
}
