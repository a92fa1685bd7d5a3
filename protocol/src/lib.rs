//! The line protocol between the evaluation process and the kernel, written once, here,
//! with the [`MimeBundle`] it carries. Both sides depend on this small crate (the runtime
//! re-exports it as `rangeo::protocol`), so the kernel is built without the runtime.
//!
//! Cells run in the evaluation process (see `rangeo::cell`), whose stdin, stdout and
//! stderr are pipes to the kernel.
//!
//! **Kernel to process**, one command per line on stdin:
//!
//! | command | meaning |
//! |---|---|
//! | [`RUN`] `path` | load the compiled cell at `path` and run it |
//! | [`FORGET`] `name` | drop the stored variable `name` |
//!
//! Lines a cell reads from stdin (answers to [`INPUT_REQUEST`]) travel the same way,
//! between commands.
//!
//! **Process to kernel.** Ordinary stdout and stderr lines are the cell's printed output.
//! A stdout line that starts with one of the markers below carries one JSON object and
//! becomes a Jupyter message, or tells the kernel how the cell went:
//!
//! | marker | JSON | meaning |
//! |---|---|---|
//! | [`DISPLAY`] | `{"data":{mime:…},"metadata":{…},"transient":{"display_id":…}}` | `display_data` |
//! | [`UPDATE_DISPLAY`] | same, `display_id` required | `update_display_data` |
//! | [`CLEAR_OUTPUT`] | `{"wait":bool}` | `clear_output` |
//! | [`RESULT`] | `{"data":{mime:…},"metadata":{…}}` | the cell's `execute_result` |
//! | [`PANIC`] | `{"message":…,"location":"file:line:col"}` | the cell panicked |
//! | [`USER_ERROR`] | `{"message":…}` | the cell returned `Err` through `?` |
//! | [`INTERRUPTED`] | `{}` | an interrupt stopped the cell, variables kept |
//! | [`DONE`] | `{"variables":[…],"failed":…}` | the command ended: the variables stored now, and `failed` when it could not run |
//!
//! The line `EVCXR_INPUT_REQUEST:prompt` (or `EVCXR_INPUT_REQUEST_PASSWORD:prompt`) asks
//! the front end for a line of input: the convention of the `evcxr_input` crate, kept so
//! that crate works in cells.
//!
//! JSON never contains a raw newline, so a line is always a whole message, and lines
//! keep their order with the cell's other output. A marker line whose JSON does not parse
//! is shown as text: nothing a cell prints is lost.

mod bundle;

pub use bundle::MimeBundle;

use std::io::Write;

use serde_json::{Value, json};

/// Shows a bundle now.
pub const DISPLAY: &str = "RANGEO_DISPLAY ";
/// Redraws the display with the given id.
pub const UPDATE_DISPLAY: &str = "RANGEO_UPDATE_DISPLAY ";
/// Clears the cell's output.
pub const CLEAR_OUTPUT: &str = "RANGEO_CLEAR_OUTPUT ";
/// The cell's result (its final expression).
pub const RESULT: &str = "RANGEO_RESULT ";
/// The cell's main thread panicked.
pub const PANIC: &str = "RANGEO_PANIC ";
/// The cell returned an `Err` through `?`.
pub const USER_ERROR: &str = "RANGEO_USER_ERROR ";
/// An interrupt stopped the cell and every variable was kept.
pub const INTERRUPTED: &str = "RANGEO_INTERRUPTED ";
/// The command the process was given has ended.
pub const DONE: &str = "RANGEO_DONE ";
/// Asks the front end for a line of input (the `evcxr_input` convention).
pub const INPUT_REQUEST: &str = "EVCXR_INPUT_REQUEST:";
/// Asks the front end for a password (the `evcxr_input` convention).
pub const PASSWORD_REQUEST: &str = "EVCXR_INPUT_REQUEST_PASSWORD:";

/// Runs the compiled cell whose path follows.
pub const RUN: &str = "RUN ";
/// Drops the stored variable whose name follows.
pub const FORGET: &str = "FORGET ";

/// The `display_data` line for `bundle`, with a display id when it may be updated.
#[must_use]
pub fn display_line(bundle: &MimeBundle, display_id: Option<&str>) -> String {
    let mut payload = payload(bundle);
    if let Some(id) = display_id {
        payload["transient"] = json!({ "display_id": id });
    }
    format!("{DISPLAY}{payload}")
}

/// The `update_display_data` line that redraws display `display_id` with `bundle`.
#[must_use]
pub fn update_display_line(bundle: &MimeBundle, display_id: &str) -> String {
    let mut payload = payload(bundle);
    payload["transient"] = json!({ "display_id": display_id });
    format!("{UPDATE_DISPLAY}{payload}")
}

/// The `clear_output` line.
#[must_use]
pub fn clear_output_line(wait: bool) -> String {
    format!("{CLEAR_OUTPUT}{}", json!({ "wait": wait }))
}

/// The line that makes `bundle` the cell's result.
#[must_use]
pub fn result_line(bundle: &MimeBundle) -> String {
    format!("{RESULT}{}", payload(bundle))
}

/// The line that reports a panic of the cell's main thread.
#[must_use]
pub fn panic_line(message: &str, location: &str) -> String {
    format!(
        "{PANIC}{}",
        json!({ "message": message, "location": location })
    )
}

/// The line that reports an `Err` returned through `?`.
#[must_use]
pub fn user_error_line(message: &str) -> String {
    format!("{USER_ERROR}{}", json!({ "message": message }))
}

/// The line that ends a command: the variables stored now, and why the command could
/// not run at all when it could not.
#[must_use]
pub fn done_line(failed: Option<&str>, variables: &[String]) -> String {
    let mut payload = json!({ "variables": variables });
    if let Some(why) = failed {
        payload["failed"] = json!(why);
    }
    format!("{DONE}{payload}")
}

/// Data and metadata, as [`MimeBundle`] serialises them.
fn payload(bundle: &MimeBundle) -> Value {
    serde_json::to_value(bundle).expect("bundles are JSON")
}

/// Writes one protocol line to stdout, whole, and flushes it so it is seen at once.
/// This is the evaluation process's one deliberate write to stdout.
pub fn emit(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed stdout means nobody is listening; output has nowhere to go.
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_single_json_objects_after_their_marker() {
        let bundle = MimeBundle::text("a\nb").with("text/html", "<p>\n</p>");
        for line in [
            display_line(&bundle, Some("d1")),
            update_display_line(&bundle, "d1"),
            result_line(&bundle),
        ] {
            assert!(!line.contains('\n'), "{line}");
            let json: Value = serde_json::from_str(line.split_once(' ').unwrap().1).unwrap();
            assert_eq!(json["data"]["text/plain"], "a\nb");
        }
        assert!(display_line(&bundle, None).starts_with(DISPLAY));
        assert_eq!(
            clear_output_line(true),
            r#"RANGEO_CLEAR_OUTPUT {"wait":true}"#
        );
    }

    #[test]
    fn panics_errors_and_ends_are_json_lines() {
        let line = panic_line("boom \"x\"\n", "cell.rs:3:1");
        let json: Value = serde_json::from_str(line.strip_prefix(PANIC).unwrap()).unwrap();
        assert_eq!(json["message"], "boom \"x\"\n");
        assert_eq!(
            user_error_line("bad"),
            r#"RANGEO_USER_ERROR {"message":"bad"}"#
        );
        assert_eq!(done_line(None, &[]), r#"RANGEO_DONE {"variables":[]}"#);
        assert_eq!(
            done_line(Some("no"), &["x".into()]),
            r#"RANGEO_DONE {"variables":["x"],"failed":"no"}"#
        );
    }

    #[test]
    fn display_ids_travel_in_transient() {
        let line = update_display_line(&MimeBundle::text("x"), "rangeo-7-1");
        let json: Value = serde_json::from_str(line.strip_prefix(UPDATE_DISPLAY).unwrap()).unwrap();
        assert_eq!(json["transient"]["display_id"], "rangeo-7-1");
    }

    #[test]
    fn text_plain_is_always_present() {
        let line = result_line(&MimeBundle::default().with("image/png", "iVBOR"));
        let json: Value = serde_json::from_str(line.strip_prefix(RESULT).unwrap()).unwrap();
        assert_eq!(json["data"]["text/plain"], "<image/png>");
    }
}
