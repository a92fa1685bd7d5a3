//! A progress bar that redraws one display in place while a loop runs.

use std::time::{Duration, Instant};

use super::{DisplayHandle, MimeBundle, Repr, display};

/// Redraws at most this often, so a tight loop does not flood the front end.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// A progress bar shown in the cell's output and redrawn in place (at most ten times a
/// second), like dask's `ProgressBar` or tqdm in a notebook.
///
/// ```no_run
/// use rangeo::display::Progress;
/// let mut bar = Progress::new("reading chunks", 120);
/// for _chunk in 0..120 {
///     // ... work ...
///     bar.inc(1);
/// }
/// bar.finish();
/// ```
#[derive(Debug)]
pub struct Progress {
    label: String,
    total: u64,
    done: u64,
    /// Shown after the counts (`1.20 GiB read`).
    detail: String,
    started: Instant,
    /// When the bar was last drawn, and the steps it showed then.
    drawn: Option<(Instant, u64)>,
    handle: Option<DisplayHandle>,
}

impl Progress {
    /// Shows a bar for `total` steps labelled `label`.
    #[must_use]
    pub fn new(label: impl Into<String>, total: u64) -> Self {
        let mut bar = Self::hidden(label.into(), total);
        bar.handle = Some(display(&bar));
        bar.drawn = Some((Instant::now(), 0));
        bar
    }

    fn hidden(label: String, total: u64) -> Self {
        Self {
            label,
            total,
            done: 0,
            detail: String::new(),
            started: Instant::now(),
            drawn: None,
            handle: None,
        }
    }

    /// Advances by `steps`.
    pub fn inc(&mut self, steps: u64) {
        self.set(self.done.saturating_add(steps));
    }

    /// Sets the number of steps done.
    pub fn set(&mut self, done: u64) {
        self.done = done.min(self.total);
        if self.due(Instant::now()) {
            self.redraw();
        }
    }

    /// Sets the text shown after the counts (drawn with the next step).
    pub fn set_detail(&mut self, detail: impl Into<String>) {
        self.detail = detail.into();
    }

    /// Draws the final state, whatever the throttle says (unless it is already shown).
    pub fn finish(&mut self) {
        if self.drawn.is_none_or(|(_, shown)| shown != self.done) {
            self.redraw();
        }
    }

    /// Steps done over total (1 for an empty bar).
    #[must_use]
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.done as f64 / self.total as f64
        }
    }

    /// Whether a redraw is due at `now`: the steps changed since the last one, and the
    /// bar completed or the throttle interval passed.
    fn due(&self, now: Instant) -> bool {
        match self.drawn {
            None => true,
            Some((_, shown)) if shown == self.done => false,
            Some((at, _)) => self.done == self.total || now.duration_since(at) >= REDRAW_EVERY,
        }
    }

    fn redraw(&mut self) {
        if let Some(handle) = &self.handle {
            handle.update(&*self);
        }
        self.drawn = Some((Instant::now(), self.done));
    }
}

impl Repr for Progress {
    fn repr(&self) -> MimeBundle {
        const WIDTH: usize = 30;
        let fraction = self.fraction();
        let filled = if self.total == 0 {
            WIDTH
        } else {
            usize::try_from(u128::from(self.done) * WIDTH as u128 / u128::from(self.total))
                .unwrap_or(WIDTH)
        };
        let elapsed = self.started.elapsed().as_secs_f64();
        let percent = (fraction * 100.0).floor();
        let detail = if self.detail.is_empty() {
            String::new()
        } else {
            format!(" {}", self.detail)
        };
        let text = format!(
            "{} [{}{}] {percent:>3}% {}/{}{detail} {elapsed:.1}s",
            self.label,
            "#".repeat(filled),
            " ".repeat(WIDTH - filled),
            self.done,
            self.total
        );
        let html_detail = if self.detail.is_empty() {
            String::new()
        } else {
            format!(" &middot; {}", escape(&self.detail))
        };
        let html = format!(
            "<div class=\"rangeo-progress\"><span>{}</span> <progress value=\"{}\" max=\"{}\"></progress> \
             <span>{percent}% &middot; {}/{}{html_detail} &middot; {elapsed:.1}s</span></div>",
            escape(&self.label),
            self.done,
            self.total,
            self.done,
            self.total
        );
        MimeBundle::text(text).with("text/html", html)
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_text_and_html() {
        let mut bar = Progress::hidden("load <air>".into(), 4);
        bar.inc(1);
        let bundle = bar.repr();
        assert!(
            bundle
                .plain()
                .starts_with("load <air> [#######                       ]  25% 1/4"),
            "{}",
            bundle.plain()
        );
        let html = bundle.get("text/html").unwrap().as_str().unwrap();
        assert!(
            html.contains("load &lt;air&gt;") && html.contains("value=\"1\" max=\"4\""),
            "{html}"
        );
    }

    #[test]
    fn redraws_are_throttled_except_at_completion() {
        let mut bar = Progress::hidden("x".into(), 10);
        let t0 = Instant::now();
        bar.drawn = Some((t0, 0));
        bar.done = 3;
        assert!(!bar.due(t0 + Duration::from_millis(50)));
        assert!(bar.due(t0 + Duration::from_millis(100)));
        bar.done = 10;
        assert!(bar.due(t0 + Duration::from_millis(1)));
        bar.drawn = Some((t0, 10));
        assert!(
            !bar.due(t0 + Duration::from_secs(5)),
            "nothing changed: no redraw"
        );
    }

    #[test]
    fn steps_clamp_to_total_and_empty_bars_are_complete() {
        let mut bar = Progress::hidden("x".into(), 2);
        bar.drawn = Some((Instant::now(), 0));
        bar.inc(5);
        assert_eq!(bar.done, 2);
        assert!((Progress::hidden("e".into(), 0).fraction() - 1.0).abs() < f64::EPSILON);
    }
}
