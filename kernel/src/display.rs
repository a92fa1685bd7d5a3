//! What a cell emits, turned into Jupyter output messages.
//!
//! The evaluation process talks to the kernel over its stdout and stderr. Ordinary lines
//! are the cell's output and become `stream` messages; marker lines carry displays,
//! results and errors as [`rangeo_protocol`] defines them (the contract
//! lives there, once, for both sides).

mod relay;

pub use relay::{CellEvents, Relay};

use jupyter_protocol::{ClearOutput, DisplayData, Media, MediaType, UpdateDisplayData};
use rangeo_protocol::{
    CLEAR_OUTPUT, DISPLAY, INTERRUPTED, PANIC, RESULT, UPDATE_DISPLAY, USER_ERROR,
};
use serde::Deserialize;

/// A cell's result as the runtime reported it (its final expression's bundle), or the
/// text a `:` command answered.
#[derive(Debug, Clone, Deserialize)]
pub struct CellResult {
    /// Mime type to data.
    pub data: Media,
    /// Per-mime metadata.
    #[serde(default)]
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

impl CellResult {
    /// A plain-text result.
    #[must_use]
    pub fn text(text: String) -> Self {
        Self {
            data: Media::new(vec![MediaType::Plain(text)]),
            metadata: serde_json::Map::new(),
        }
    }

    /// The `text/plain` form, as history keeps it.
    #[must_use]
    pub fn plain(&self) -> &str {
        self.data
            .content
            .iter()
            .find_map(|m| match m {
                MediaType::Plain(text) => Some(text.as_str()),
                _ => None,
            })
            .unwrap_or("")
    }
}

/// A panic in the cell's code, as the panic hook reported it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PanicReport {
    /// The panic payload as text.
    pub message: String,
    /// `file:line:column` in the generated crate.
    #[serde(default)]
    pub location: String,
}

/// An `Err` that ended the cell through `?`, as its `Display` printed it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct UserError {
    /// The error's text.
    pub message: String,
}

/// One line from the evaluation process, classified.
#[derive(Debug)]
pub enum ChildLine {
    /// Plain output text (without its newline).
    Text(String),
    /// A rich output to show now.
    Display(DisplayData),
    /// A new bundle for an existing display id.
    Update(UpdateDisplayData),
    /// Clear the cell's output.
    Clear(ClearOutput),
    /// The cell's result.
    Result(CellResult),
    /// The cell panicked.
    Panic(PanicReport),
    /// The cell returned an error.
    UserError(UserError),
    /// An interrupt stopped the cell.
    Interrupted,
}

impl ChildLine {
    /// Classifies a stdout line. A marker with malformed JSON is kept as text, so that
    /// nothing the cell printed is lost.
    #[must_use]
    pub fn parse(line: String) -> Self {
        fn json<T: for<'de> Deserialize<'de>>(line: &str, marker: &str) -> Option<T> {
            serde_json::from_str(line.strip_prefix(marker)?).ok()
        }
        if !line.starts_with("RANGEO_") {
            return Self::Text(line);
        }
        let parsed = if let Some(d) = json::<DisplayData>(&line, DISPLAY) {
            Some(Self::Display(d))
        } else if let Some(u) = json::<UpdateDisplayData>(&line, UPDATE_DISPLAY) {
            Some(Self::Update(u))
        } else if let Some(c) = json::<ClearOutput>(&line, CLEAR_OUTPUT) {
            Some(Self::Clear(c))
        } else if let Some(r) = json::<CellResult>(&line, RESULT) {
            Some(Self::Result(r))
        } else if let Some(p) = json::<PanicReport>(&line, PANIC) {
            Some(Self::Panic(p))
        } else if let Some(e) = json::<UserError>(&line, USER_ERROR) {
            Some(Self::UserError(e))
        } else {
            json::<serde_json::Value>(&line, INTERRUPTED).map(|_| Self::Interrupted)
        };
        parsed.unwrap_or(Self::Text(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_are_text() {
        assert!(matches!(ChildLine::parse("hello".into()), ChildLine::Text(t) if t == "hello"));
    }

    #[test]
    fn display_lines_carry_bundles_and_ids() {
        let line = r#"RANGEO_DISPLAY {"data":{"text/plain":"x","text/html":"<b>x</b>"},"metadata":{},"transient":{"display_id":"d1"}}"#;
        let ChildLine::Display(d) = ChildLine::parse(line.into()) else {
            panic!()
        };
        assert!(d.data.content.contains(&MediaType::Html("<b>x</b>".into())));
        assert_eq!(d.transient.unwrap().display_id.as_deref(), Some("d1"));
    }

    #[test]
    fn update_clear_panic_and_user_error_lines() {
        let update = r#"RANGEO_UPDATE_DISPLAY {"data":{"text/plain":"y"},"metadata":{},"transient":{"display_id":"d1"}}"#;
        assert!(matches!(
            ChildLine::parse(update.into()),
            ChildLine::Update(_)
        ));
        assert!(
            matches!(ChildLine::parse(r#"RANGEO_CLEAR_OUTPUT {"wait":true}"#.into()), ChildLine::Clear(c) if c.wait)
        );
        let panic = r#"RANGEO_PANIC {"message":"boom","location":"src/lib.rs:3:5"}"#;
        assert_eq!(
            match ChildLine::parse(panic.into()) {
                ChildLine::Panic(p) => p,
                other => panic!("{other:?}"),
            },
            PanicReport {
                message: "boom".into(),
                location: "src/lib.rs:3:5".into()
            }
        );
        let err = r#"RANGEO_USER_ERROR {"message":"no such file"}"#;
        assert!(
            matches!(ChildLine::parse(err.into()), ChildLine::UserError(e) if e.message == "no such file")
        );
        assert!(matches!(
            ChildLine::parse("RANGEO_INTERRUPTED {}".into()),
            ChildLine::Interrupted
        ));
    }

    #[test]
    fn the_runtimes_lines_parse_as_the_messages_they_name() {
        use rangeo_protocol as protocol;
        use rangeo_protocol::MimeBundle;
        let bundle = MimeBundle::text("t")
            .with("text/html", "<b>t</b>")
            .with_metadata("text/html", serde_json::json!({"isolated": true}));
        let ChildLine::Display(d) = ChildLine::parse(protocol::display_line(&bundle, Some("id-1")))
        else {
            panic!()
        };
        assert_eq!(d.transient.unwrap().display_id.as_deref(), Some("id-1"));
        assert!(d.metadata.contains_key("text/html"));
        let ChildLine::Update(u) = ChildLine::parse(protocol::update_display_line(&bundle, "id-1"))
        else {
            panic!()
        };
        assert_eq!(u.transient.display_id.as_deref(), Some("id-1"));
        assert!(
            matches!(ChildLine::parse(protocol::clear_output_line(false)), ChildLine::Clear(c) if !c.wait)
        );
        let ChildLine::Result(r) = ChildLine::parse(protocol::result_line(&bundle)) else {
            panic!()
        };
        assert!(r.data.content.contains(&MediaType::Plain("t".into())));
    }

    #[test]
    fn malformed_markers_stay_text() {
        let line = "RANGEO_DISPLAY {oops";
        assert!(matches!(ChildLine::parse(line.into()), ChildLine::Text(t) if t == line));
    }
}
