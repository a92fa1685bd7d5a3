//! How a cell's final expression becomes its result: through [`Repr`] when the type has
//! one, else its `Debug` text, else its type's name.
//!
//! The choice is made at compile time by method resolution ("autoref specialisation"):
//! the three traits are implemented for `&&Show`, `&Show` and `Show`, and the call
//! `(&&&Show(&value)).show()` finds the most specific one that applies.

use std::fmt::Debug;

use crate::display::{MimeBundle, Repr};
use crate::protocol;

/// A borrowed final expression, waiting to be shown.
#[derive(Debug)]
pub struct Show<'a, T: ?Sized>(pub &'a T);

/// Shows values whose type implements [`Repr`].
pub trait ShowRepr {
    /// Emits the cell's result.
    fn show(&self);
}

/// Shows values through `Debug`, as evcxr and the Rust playground do.
pub trait ShowDebug {
    /// Emits the cell's result.
    fn show(&self);
}

/// Shows values of any other type by their type's name.
pub trait ShowAny {
    /// Emits the cell's result.
    fn show(&self);
}

impl<T: Repr + ?Sized> ShowRepr for &&Show<'_, T> {
    fn show(&self) {
        protocol::emit(&protocol::result_line(&self.0.repr()));
    }
}

impl<T: Debug + ?Sized> ShowDebug for &Show<'_, T> {
    fn show(&self) {
        // `()` is not shown, as Python does not show `None`.
        if std::any::type_name::<T>() != "()" {
            let text = format!("{:?}", self.0);
            protocol::emit(&protocol::result_line(&MimeBundle::text(text)));
        }
    }
}

impl<T: ?Sized> ShowAny for Show<'_, T> {
    fn show(&self) {
        let text = format!("<{}>", std::any::type_name::<T>());
        protocol::emit(&protocol::result_line(&MimeBundle::text(text)));
    }
}

/// Shows a cell's final expression (see the [module docs](self)).
#[macro_export]
#[doc(hidden)]
macro_rules! __show {
    ($value:expr) => {{
        #[allow(unused_imports)]
        use $crate::cell::{ShowAny as _, ShowDebug as _, ShowRepr as _};
        (&&&$crate::cell::Show(&$value)).show();
    }};
}

#[doc(inline)]
pub use crate::__show as show;
