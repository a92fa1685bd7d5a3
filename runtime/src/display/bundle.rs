//! The mime bundle: one value's representations, keyed by mime type.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

/// A value's representations, as Jupyter carries them: mime type to data, plus
/// per-mime metadata (an image's size, for example).
///
/// ```
/// use rangeo::display::MimeBundle;
/// let b = MimeBundle::text("3 stations").with("text/html", "<table>…</table>");
/// assert_eq!(b.plain(), "3 stations");
/// assert_eq!(b.mime_types().collect::<Vec<_>>(), ["text/html", "text/plain"]);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct MimeBundle {
    data: BTreeMap<String, Value>,
    metadata: Map<String, Value>,
}

impl MimeBundle {
    /// A bundle with its `text/plain` form.
    #[must_use]
    pub fn text(plain: impl Into<String>) -> Self {
        Self::default().with("text/plain", plain.into())
    }

    /// Adds (or replaces) the form for `mime`. Text forms are strings, images are base64
    /// strings, JSON forms (`application/json`, `application/geo+json`) are JSON values.
    #[must_use]
    pub fn with(mut self, mime: &str, data: impl Into<Value>) -> Self {
        self.data.insert(mime.to_owned(), data.into());
        self
    }

    /// Adds metadata for `mime` (for images: `{"width": 640, "height": 480}`).
    #[must_use]
    pub fn with_metadata(mut self, mime: &str, metadata: Value) -> Self {
        self.metadata.insert(mime.to_owned(), metadata);
        self
    }

    /// The form for `mime`, if present.
    #[must_use]
    pub fn get(&self, mime: &str) -> Option<&Value> {
        self.data.get(mime)
    }

    /// The `text/plain` form ("" when a bundle was built without one).
    #[must_use]
    pub fn plain(&self) -> &str {
        self.data
            .get("text/plain")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The mime types present, in sorted order.
    pub fn mime_types(&self) -> impl Iterator<Item = &str> {
        self.data.keys().map(String::as_str)
    }

    /// The bundle's metadata, per mime type.
    #[must_use]
    pub fn metadata(&self) -> &Map<String, Value> {
        &self.metadata
    }
}
