//! The variables that live from one cell to the next.
//!
//! Cells always run on the evaluation process's main thread, so the store is a
//! thread-local map of boxed values; values need not be `Send`.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    static VARIABLES: RefCell<HashMap<String, Box<dyn Any>>> = RefCell::new(HashMap::new());
}

/// Takes variable `name` out of the store, for the duration of a cell.
///
/// # Panics
/// When the variable is missing or has another type: the kernel only generates takes of
/// variables it stored with that type, so either means the kernel lost track.
#[must_use]
pub fn take<T: 'static>(name: &str) -> T {
    // The generic parts stay this small: they are compiled again in every cell.
    match take_any(name).downcast::<T>() {
        Ok(value) => *value,
        Err(value) => wrong_type(name, value, std::any::type_name::<T>()),
    }
}

/// Stores a variable the cell defined (replacing an older one of the same name).
pub fn keep<T: 'static>(name: &str, value: T) {
    keep_any(name, Box::new(value));
}

/// Returns a variable taken at the start of a cell, unless the cell defined a new one of
/// that name (then the new one stays and `value` is dropped).
pub fn put_back<T: 'static>(name: &str, value: T) {
    put_back_any(name, Box::new(value));
}

/// Drops variable `name`, if it is stored.
pub fn forget(name: &str) {
    VARIABLES.with_borrow_mut(|vars| vars.remove(name));
}

/// The names of the stored variables, sorted.
pub(crate) fn names() -> Vec<String> {
    let mut names: Vec<String> = VARIABLES.with_borrow(|vars| vars.keys().cloned().collect());
    names.sort();
    names
}

fn take_any(name: &str) -> Box<dyn Any> {
    VARIABLES
        .with_borrow_mut(|vars| vars.remove(name))
        .unwrap_or_else(|| panic!("rangeo: variable `{name}` is not stored"))
}

fn wrong_type(name: &str, value: Box<dyn Any>, expected: &str) -> ! {
    // Leave it where it was, so a kernel bug does not also lose the data.
    keep_any(name, value);
    panic!("rangeo: variable `{name}` is not a `{expected}`")
}

fn keep_any(name: &str, value: Box<dyn Any>) {
    VARIABLES.with_borrow_mut(|vars| vars.insert(name.to_owned(), value));
}

fn put_back_any(name: &str, value: Box<dyn Any>) {
    VARIABLES.with_borrow_mut(|vars| {
        vars.entry(name.to_owned()).or_insert(value);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_definition_wins_over_the_value_put_back() {
        keep("x", vec![1, 2]);
        let x: Vec<i32> = take("x");
        keep("x", "redefined");
        put_back("x", x);
        assert_eq!(take::<&str>("x"), "redefined");
        assert!(!names().contains(&"x".to_owned()));
        keep("z", 1_u8);
        forget("z");
        assert!(!names().contains(&"z".to_owned()));
    }

    #[test]
    fn a_wrong_type_panics_and_keeps_the_value() {
        keep("y", 1.5_f64);
        let wrong = std::panic::catch_unwind(|| take::<i32>("y"));
        assert!(wrong.is_err());
        assert!((take::<f64>("y") - 1.5).abs() < f64::EPSILON);
    }
}
