//! Colour maps (matplotlib's viridis and `RdBu_r`, with the same 256 colours) and the
//! mapping of values onto them.

use std::str::FromStr;
use std::sync::LazyLock;

use crate::Error;

/// A colour map for 2-D plots.
///
/// ```
/// use rangeo::plot::Colormap;
/// assert_eq!("RdBu_r".parse::<Colormap>()?, Colormap::RdBuR);
/// assert!("jet".parse::<Colormap>().unwrap_err().to_string().contains("viridis, RdBu_r"));
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colormap {
    /// Sequential, perceptually uniform: the default.
    Viridis,
    /// Diverging, blue below the centre and red above: the default for data that
    /// straddle zero.
    RdBuR,
}

impl Colormap {
    /// The name matplotlib knows it by.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Viridis => "viridis",
            Self::RdBuR => "RdBu_r",
        }
    }

    /// The colour at `x` in 0 to 1 (clipped), as matplotlib looks it up: one of 256.
    pub(super) fn at(self, x: f64) -> [u8; 3] {
        static TABLES: LazyLock<[[[u8; 3]; 256]; 2]> =
            LazyLock::new(|| [decode(VIRIDIS), decode(RDBU_R)]);
        let table = &TABLES[self as usize];
        let i = if x.is_nan() {
            0.0
        } else {
            (x * 256.0).clamp(0.0, 255.0)
        };
        #[allow(clippy::cast_sign_loss, reason = "clamped to 0..=255 above")]
        let i = i as usize;
        table[i]
    }
}

impl FromStr for Colormap {
    type Err = Error;
    fn from_str(name: &str) -> Result<Self, Error> {
        [Self::Viridis, Self::RdBuR]
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| {
                Error::Operation(format!(
                    "unknown colormap `{name}`; the colormaps are viridis, RdBu_r"
                ))
            })
    }
}

/// How values become colours: a range, a map, and optionally discrete levels (the
/// bands of a filled contour plot).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Norm {
    pub(super) vmin: f64,
    pub(super) vmax: f64,
    pub(super) cmap: Colormap,
    /// Band edges, ascending; values between two edges take the band's one colour.
    pub(super) levels: Option<Vec<f64>>,
}

impl Norm {
    /// The colour of `v`; none for NaN. Values beyond the range take the end colours.
    pub(super) fn color(&self, v: f64) -> Option<[u8; 3]> {
        if v.is_nan() {
            return None;
        }
        let x = match &self.levels {
            Some(levels) if levels.len() >= 2 => {
                let band = levels[1..levels.len() - 1].partition_point(|&edge| edge <= v);
                (band as f64 + 0.5) / (levels.len() - 1) as f64
            }
            _ if self.vmax > self.vmin => (v - self.vmin) / (self.vmax - self.vmin),
            _ => 0.5,
        };
        Some(self.cmap.at(x))
    }
}

/// A table of hex RGB triplets as colours.
fn decode(hex: &str) -> [[u8; 3]; 256] {
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex colour table");
    std::array::from_fn(|c| [byte(6 * c), byte(6 * c + 2), byte(6 * c + 4)])
}

// Generated from matplotlib 3.11 with
// `''.join('%02x%02x%02x' % tuple(round(255 * v) for v in cmap(i)[:3]) for i in range(256))`.
/// matplotlib's `viridis`, 256 colours as hex RGB.
const VIRIDIS: &str = concat!(
    "44015444025645045745055946075a46085c460a5d460b5e470d60470e61471063471164471365481467481668481769",
    "48186a481a6c481b6d481c6e481d6f481f70482071482173482374482475482576482677482878482979472a7a472c7a",
    "472d7b472e7c472f7d46307e46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f85",
    "4240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a3d4e8a3c4f8a3c508b3b518b",
    "3b528b3a538b3a548c39558c39568c38588c38598c375a8c375b8d365c8d365d8d355e8d355f8d34608d34618d33628d",
    "33638d32648e32658e31668e31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e",
    "2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e277e8e277f8e27808e26818e",
    "26828e26828e25838e25848e25858e24868e24878e23888e23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d",
    "21918c20928c20928c20938c1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f88",
    "1fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa8325ab8225ac8226ad8127ad81",
    "28ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b32b67a34b67935b77937b87838b9773aba763bbb753dbc74",
    "3fbc7340bd7242be7144bf7046c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc863",
    "5ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d1537ad1517cd2507fd34e81d34d",
    "84d44b86d54989d5488bd6468ed64590d74393d74195d84098d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32",
    "addc30b0dd2fb2dd2db5de2bb8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21a",
    "d8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61ef6e620f8e621fbe723fde725",
);

/// matplotlib's `RdBu_r`, 256 colours as hex RGB.
const RDBU_R: &str = concat!(
    "05306106326407346708366a09386d0a3b700c3d730d3f760e41790f437b10457e114781124984134c87144e8a15508d",
    "1752901854931956961a58991b5a9c1c5c9f1d5fa21e61a51f63a82065ab2267ac2369ad246aae266caf276eb02870b1",
    "2a71b22b73b32c75b42e77b52f79b5307ab6327cb7337eb83480b93681ba3783bb3885bc3a87bd3b88be3c8abe3e8cbf",
    "3f8ec0408fc14291c24393c34695c44997c54c99c64f9bc7529dc8569fc959a1ca5ca3cb5fa5cd62a7ce65a9cf68abd0",
    "6bacd16eaed271b0d375b2d478b4d57bb6d67eb8d781bad884bcd987beda8ac0db8dc2dc90c4dd93c6de96c7df98c8e0",
    "9bc9e09dcbe1a0cce2a2cde3a5cee3a7d0e4a9d1e5acd2e5aed3e6b1d5e7b3d6e8b6d7e8b8d8e9bbdaeabddbeac0dceb",
    "c2ddecc5dfecc7e0edcae1eecce2efcfe4efd1e5f0d2e6f0d4e6f1d5e7f1d7e8f1d8e9f1dae9f2dbeaf2ddebf2deebf2",
    "e0ecf3e1edf3e3edf3e4eef4e6eff4e7f0f4e9f0f4eaf1f5ecf2f5edf2f5eff3f5f0f4f6f2f5f6f3f5f6f5f6f7f6f7f7",
    "f7f6f6f7f5f4f8f4f2f8f3f0f8f2eff8f1edf9f0ebf9efe9f9eee7f9ede5f9ebe3faeae1fae9dffae8defae7dcfbe6da",
    "fbe5d8fbe4d6fbe3d4fce2d2fce0d0fcdfcffcdecdfdddcbfddcc9fddbc7fdd9c4fcd7c2fcd5bffcd3bcfbd0b9fbceb7",
    "fbccb4facab1fac8aff9c6acf9c4a9f9c2a7f8bfa4f8bda1f8bb9ef7b99cf7b799f7b596f6b394f6b191f6af8ef5ac8b",
    "f5aa89f5a886f4a683f3a481f2a17ff19e7df09c7bef9979ee9677ec9374eb9172ea8e70e98b6ee8896ce6866ae58368",
    "e48066e37e64e27b62e17860df765ede735cdd7059dc6e57db6b55da6853d86551d7634fd6604dd55d4cd35a4ad25849",
    "d05548cf5246ce4f45cc4c44cb4942c94741c84440c6413ec53e3dc43b3cc2383ac13639bf3338be3036bd2d35bb2a34",
    "ba2832b82531b72230b61f2eb41c2db3192cb1182bae172aab162aa81529a51429a213289f12289c1127991027960f27",
    "930e26900d268d0c258a0b25870a248409248108237f08237c07227906227605217304217003206d02206a011f67001f",
);

#[cfg(test)]
mod tests {
    use super::{Colormap, Norm};

    #[test]
    fn colours_match_matplotlib() {
        // matplotlib: viridis(0.0), viridis(0.5), viridis(1.0); RdBu_r(0.5).
        assert_eq!(Colormap::Viridis.at(0.0), [0x44, 0x01, 0x54]);
        assert_eq!(Colormap::Viridis.at(0.5), [0x21, 0x91, 0x8c]);
        assert_eq!(Colormap::Viridis.at(1.0), [0xfd, 0xe7, 0x25]);
        assert_eq!(Colormap::RdBuR.at(0.0), [0x05, 0x30, 0x61]);
        assert_eq!(Colormap::RdBuR.at(1.0), [0x67, 0x00, 0x1f]);
    }

    #[test]
    fn norms_map_ranges_and_bands() {
        let norm = Norm {
            vmin: 0.0,
            vmax: 10.0,
            cmap: Colormap::Viridis,
            levels: None,
        };
        assert_eq!(norm.color(f64::NAN), None);
        assert_eq!(norm.color(-5.0), norm.color(0.0));
        assert_eq!(norm.color(99.0), Some(Colormap::Viridis.at(1.0)));
        let bands = Norm {
            levels: Some(vec![0.0, 5.0, 10.0]),
            ..norm
        };
        assert_eq!(bands.color(1.0), bands.color(4.9));
        assert_ne!(bands.color(4.9), bands.color(5.0));
        assert_eq!(bands.color(5.0), Some(Colormap::Viridis.at(0.75)));
    }
}
