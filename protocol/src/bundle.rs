//! The mime bundle: one value's representations, keyed by mime type.

use std::collections::BTreeMap;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

/// A value's representations, as Jupyter carries them: mime type to data, plus
/// per-mime metadata (an image's size, for example).
///
/// ```
/// use rangeo_protocol::MimeBundle;
/// let b = MimeBundle::text("3 stations").with("text/html", "<table>…</table>");
/// assert_eq!(b.plain(), "3 stations");
/// assert_eq!(b.mime_types().collect::<Vec<_>>(), ["text/html", "text/plain"]);
/// ```
///
/// It serialises as Jupyter carries it, `{"data": {…}, "metadata": {…}}`; a bundle built
/// without `text/plain` gets one naming its mime types, as Jupyter requires of every
/// output:
///
/// ```
/// use rangeo_protocol::MimeBundle;
/// let json = serde_json::to_value(MimeBundle::default().with("image/png", "iVBOR")).unwrap();
/// assert_eq!(json["data"]["text/plain"], "<image/png>");
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
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

impl Serialize for MimeBundle {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("data", &DataWithPlain(self))?;
        map.serialize_entry("metadata", &self.metadata)?;
        map.end()
    }
}

/// The data map, with the `text/plain` fallback added without copying the bundle.
struct DataWithPlain<'a>(&'a MimeBundle);

impl Serialize for DataWithPlain<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let data = &self.0.data;
        let fallback = (!data.contains_key("text/plain")).then(|| {
            let kinds: Vec<&str> = self.0.mime_types().collect();
            format!("<{}>", kinds.join(", "))
        });
        let mut map =
            serializer.serialize_map(Some(data.len() + usize::from(fallback.is_some())))?;
        for (mime, value) in data {
            map.serialize_entry(mime, value)?;
        }
        if let Some(plain) = fallback {
            map.serialize_entry("text/plain", &plain)?;
        }
        map.end()
    }
}
