//! Coordinates mapped between coordinate reference systems named by EPSG code, with
//! proj4rs' ports of PROJ's projection formulas and the EPSG definitions of
//! crs-definitions. Geographic CRSs take and give longitude, latitude in degrees, in
//! that order, as GDAL and rasterio use them for rasters.

use proj4rs::proj::Proj;

use crate::Error;

/// The mapping of coordinates from one CRS to another.
#[derive(Debug)]
pub(crate) struct Reprojection {
    from: Proj,
    to: Proj,
}

impl Reprojection {
    /// From EPSG:`from` to EPSG:`to`; an error names a code whose CRS is unknown or has
    /// no projection formula here.
    pub(crate) fn new(from: u32, to: u32) -> Result<Self, Error> {
        Ok(Self {
            from: crs(from)?,
            to: crs(to)?,
        })
    }

    /// The point (`x`, `y`) of the first CRS in the second; NaN where it lies outside
    /// either projection's domain.
    pub(crate) fn point(&self, x: f64, y: f64) -> (f64, f64) {
        let radians = |p: &Proj, v: f64| if p.is_latlong() { v.to_radians() } else { v };
        let degrees = |p: &Proj, v: f64| if p.is_latlong() { v.to_degrees() } else { v };
        let mut point = (radians(&self.from, x), radians(&self.from, y), 0.0);
        match proj4rs::transform::transform(&self.from, &self.to, &mut point) {
            Ok(()) if point.0.is_finite() && point.1.is_finite() => {
                (degrees(&self.to, point.0), degrees(&self.to, point.1))
            }
            _ => (f64::NAN, f64::NAN),
        }
    }
}

/// The CRS of an EPSG code.
fn crs(code: u32) -> Result<Proj, Error> {
    let unknown = |why: &str| Error::Operation(format!("EPSG:{code} {why}"));
    let short = u16::try_from(code).map_err(|_| unknown("is not an EPSG code"))?;
    Proj::from_epsg_code(short).map_err(|e| match e {
        proj4rs::errors::Error::ProjectionNotFound => {
            unknown("is not in the EPSG table of coordinate reference systems")
        }
        e => unknown(&format!("cannot be used for reprojection: {e}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What rasterio 1.4.4 (PROJ 9.6) gives for the same points.
    #[test]
    fn maps_points_as_proj_does() {
        let utm = Reprojection::new(32632, 32631).unwrap();
        let (x, y) = utm.point(300_000.0, 5_000_000.0);
        assert!((x - 771_860.419_257_279_4).abs() < 1e-6, "{x}");
        assert!((y - 5_002_668.875_527_555).abs() < 1e-6, "{y}");
        let geographic = Reprojection::new(32632, 4326).unwrap();
        let (lon, lat) = geographic.point(300_000.0, 5_000_000.0);
        assert!((lon - 6.456_876_510_217_054).abs() < 1e-10, "{lon}");
        assert!((lat - 45.125_153_847_634_174).abs() < 1e-10, "{lat}");
        let back = Reprojection::new(4326, 32632).unwrap();
        let (x, y) = back.point(lon, lat);
        assert!((x - 300_000.0).abs() < 1e-6 && (y - 5_000_000.0).abs() < 1e-6);
    }

    #[test]
    fn unknown_codes_are_named() {
        let e = Reprojection::new(32631, 99_999).unwrap_err().to_string();
        assert!(e.contains("EPSG:99999"), "{e}");
        let e = Reprojection::new(1, 32631).unwrap_err().to_string();
        assert!(e.contains("EPSG:1 is not in the EPSG table"), "{e}");
    }

    #[test]
    fn points_outside_a_projection_are_nan() {
        // The south pole has no place on the north polar stereographic plane.
        let (x, y) = Reprojection::new(4326, 3413).unwrap().point(0.0, -90.0);
        assert!(x.is_nan() && y.is_nan(), "{x} {y}");
        let (x, y) = Reprojection::new(4326, 32631).unwrap().point(f64::NAN, 0.0);
        assert!(x.is_nan() && y.is_nan());
    }
}
