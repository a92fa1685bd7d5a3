//! Rich output: how values show themselves in a notebook.
//!
//! A value's look is a [`MimeBundle`] (`text/plain` always, plus HTML, PNG, SVG, JSON or
//! GeoJSON as fitting). Types implement [`Repr`]; the last expression of a cell shows
//! through it, [`display`] shows a value mid-cell, and the returned [`DisplayHandle`]
//! redraws that same output in place. [`Progress`] is a progress bar built on a handle.
//!
//! ```
//! use rangeo::display::{MimeBundle, Repr};
//!
//! struct Station { name: &'static str, lat: f64 }
//!
//! impl Repr for Station {
//!     fn repr(&self) -> MimeBundle {
//!         MimeBundle::text(format!("{} ({:.2}°N)", self.name, self.lat))
//!             .with("text/html", format!("<b>{}</b> {:.2}°N", self.name, self.lat))
//!     }
//! }
//!
//! let bundle = Station { name: "Brest", lat: 48.39 }.repr();
//! assert_eq!(bundle.plain(), "Brest (48.39°N)");
//! assert!(bundle.get("text/html").is_some());
//! ```

mod chunk_diagram;
pub(crate) mod html;
mod progress;

pub use progress::Progress;
pub use rangeo_protocol::MimeBundle;

use std::sync::atomic::{AtomicU64, Ordering};

use crate::protocol;

/// How a value shows itself in a notebook.
pub trait Repr {
    /// The value's mime bundle. Give it a `text/plain` form: without one, the notebook
    /// shows only the list of mime types where rich output cannot be rendered.
    fn repr(&self) -> MimeBundle;
}

/// Shows `value` now, as a `display_data` output of the running cell, and returns a
/// handle to redraw it later. Any number of displays may come from one cell; they appear
/// in order with the cell's printed output.
pub fn display<T: Repr + ?Sized>(value: &T) -> DisplayHandle {
    let handle = DisplayHandle::new();
    protocol::emit(&protocol::display_line(&value.repr(), Some(&handle.id)));
    handle
}

/// Clears the cell's output; with `wait`, only once new output arrives (no flicker).
pub fn clear_output(wait: bool) {
    protocol::emit(&protocol::clear_output_line(wait));
}

/// A display that can be redrawn in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayHandle {
    id: String,
}

impl DisplayHandle {
    fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        Self {
            id: format!("rangeo-{}-{n}", std::process::id()),
        }
    }

    /// The display id the front end knows this output by.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Replaces what this display shows with `value` (an `update_display_data`).
    pub fn update<T: Repr + ?Sized>(&self, value: &T) {
        protocol::emit(&protocol::update_display_line(&value.repr(), &self.id));
    }
}

impl Repr for MimeBundle {
    fn repr(&self) -> MimeBundle {
        self.clone()
    }
}
