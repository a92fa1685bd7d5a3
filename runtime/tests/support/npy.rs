//! Reads the `.npy` files that numpy wrote as reference values (format versions 1 to
//! 3; booleans, integers, floats and complex numbers of either byte order, and
//! fixed-width text).

use std::path::Path;

use rangeo::array::Values;

/// The array in the `.npy` file at `path`.
pub(crate) fn read(path: &Path) -> Values {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        &bytes[..6],
        b"\x93NUMPY",
        "{} is not a .npy file",
        path.display()
    );
    let (length, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        _ => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
    };
    let header = std::str::from_utf8(&bytes[start..start + length]).expect("an ASCII header");
    let field = |name: &str| -> &str {
        let at = header.find(&format!("'{name}':")).expect("a header field") + name.len() + 3;
        header[at..].trim_start()
    };
    let descr = field("descr");
    let descr = &descr[1..=descr[1..].find('\'').expect("a quoted descr")];
    let fortran = field("fortran_order").starts_with("True");
    let shape_text = field("shape");
    let shape: Vec<usize> = shape_text[1..shape_text.find(')').expect("a shape tuple")]
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().expect("a dimension length"))
        .collect();
    let data = &bytes[start + length..];
    let big = descr.starts_with('>');
    let kind = &descr[1..];
    macro_rules! elements {
        ($t:ty) => {{
            let size = std::mem::size_of::<$t>();
            data.chunks_exact(size)
                .map(|b| {
                    let b = b.try_into().expect("an element");
                    if big {
                        <$t>::from_be_bytes(b)
                    } else {
                        <$t>::from_le_bytes(b)
                    }
                })
                .collect::<Vec<$t>>()
        }};
    }
    macro_rules! numbers {
        ($t:ty) => {{ Values::from_array(arrange(elements!($t), &shape, fortran)) }};
    }
    // Complex numbers are pairs of floats: the real part, then the imaginary.
    macro_rules! complex {
        ($t:ty) => {{
            let pairs = elements!($t)
                .chunks_exact(2)
                .map(|p| num_complex::Complex::new(p[0], p[1]))
                .collect();
            Values::from_array(arrange(pairs, &shape, fortran))
        }};
    }
    match kind {
        "b1" => Values::from_array(arrange(
            data.iter().map(|&b| b != 0).collect(),
            &shape,
            fortran,
        )),
        "i1" => numbers!(i8),
        "i2" => numbers!(i16),
        "i4" => numbers!(i32),
        "i8" => numbers!(i64),
        "u1" => numbers!(u8),
        "u2" => numbers!(u16),
        "u4" => numbers!(u32),
        "u8" => numbers!(u64),
        "f2" => numbers!(half::f16),
        "f4" => numbers!(f32),
        "f8" => numbers!(f64),
        "c8" => complex!(f32),
        "c16" => complex!(f64),
        // Fixed-width text: `n` UTF-32 code points each, NUL-padded.
        text if text.starts_with('U') => {
            let width: usize = text[1..].parse().expect("a text width");
            let strings = elements!(u32)
                .chunks_exact(width)
                .map(|points| {
                    points
                        .iter()
                        .take_while(|&&p| p != 0)
                        .map(|&p| char::from_u32(p).expect("a code point"))
                        .collect::<String>()
                })
                .collect();
            Values::from_array(arrange(strings, &shape, fortran))
        }
        // Fixed-width bytes, `n` each.
        bytes if bytes.starts_with('S') => {
            let width: usize = bytes[1..].parse().expect("a width");
            Values::from_array(arrange(fixed_bytes(data, width), &shape, fortran))
        }
        other => panic!("{}: no reader for dtype {other}", path.display()),
    }
}

/// numpy's `|S{width}` elements: the NUL bytes that pad one are not part of it.
fn fixed_bytes(data: &[u8], width: usize) -> Vec<Vec<u8>> {
    data.chunks_exact(width)
        .map(|b| b[..b.iter().rposition(|&x| x != 0).map_or(0, |i| i + 1)].to_vec())
        .collect()
}

/// Elements in C or Fortran order as an array of `shape`.
fn arrange<T: Clone>(values: Vec<T>, shape: &[usize], fortran: bool) -> ndarray::ArrayD<T> {
    use ndarray::ShapeBuilder;
    let shape = ndarray::IxDyn(shape);
    let array = if fortran {
        ndarray::ArrayD::from_shape_vec(shape.f(), values)
    } else {
        ndarray::ArrayD::from_shape_vec(shape, values)
    };
    array
        .expect("the header's shape")
        .as_standard_layout()
        .into_owned()
}
