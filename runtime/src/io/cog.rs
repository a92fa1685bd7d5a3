//! GeoTIFFs and Cloud-Optimised GeoTIFFs, read with async-tiff over the same stores as
//! Zarr (local files, HTTP range requests, S3, GCS, Azure): the header and every image
//! directory are read once (a few kilobytes for a COG), pixels one tile at a time as
//! they are asked for. Striped GeoTIFFs read too: a strip is a tile as wide as the image.
//!
//! ```no_run
//! use rangeo::prelude::*;
//! let cog = open_cog("s3://bucket/B04.tif")?;
//! let full = cog.read(0)?;       // (band, y, x), as rioxarray opens it
//! let preview = cog.read(2)?;    // the second overview
//! # Ok::<(), rangeo::Error>(())
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

use async_tiff::decoder::DecoderRegistry;
use async_tiff::error::{AsyncTiffError, AsyncTiffResult};
use async_tiff::metadata::cache::ReadaheadMetadataCache;
use async_tiff::metadata::{ImageFileDirectoryReader, TiffMetadataReader};
use async_tiff::reader::AsyncFileReader;
use async_tiff::tags::Tag;
use async_tiff::{ImageFileDirectory, TagValue, Tile, TileByteRange, TypedArray};
use bytes::Bytes;
use ndarray::Array3;
use rayon::prelude::*;

use crate::Error;
use crate::array::{DType, DataArray, Values};
use crate::display::{MimeBundle, Repr};
use crate::io::inflate;
use crate::io::store::{Store, store_key};

/// A tile's column and row, and its compressed bytes.
type Fetched = ((usize, usize), Tile);

/// A GeoTIFF opened from a path or URL: its size, bands, data type, georeferencing and
/// overviews known, its pixels read when asked for.
#[derive(Debug, Clone)]
pub struct Cog {
    href: String,
    reader: Arc<StoreReader>,
    /// The full-resolution image, then the overviews from the largest down.
    images: Vec<Image>,
    bands: usize,
    dtype: DType,
    nodata: Option<f64>,
    /// GDAL's geotransform: x origin, pixel width, row rotation, y origin, column
    /// rotation, pixel height (negative for north-up images).
    transform: Option<[f64; 6]>,
    epsg: Option<u16>,
}

/// One image of the file: its directory and, for a striped image whose last strip is
/// shorter, a directory for that strip.
#[derive(Debug, Clone)]
struct Image {
    ifd: Arc<ImageFileDirectory>,
    last_strip: Option<Arc<ImageFileDirectory>>,
    width: usize,
    height: usize,
    block: (usize, usize),
    /// async-tiff's decoders, inflating into buffers of this image's tile size.
    decoders: Arc<DecoderRegistry>,
}

/// Opens the GeoTIFF at `href` (a path, or a `file://`, `http(s)://`, `s3://`, `gs://` or
/// `az://` URL) and reads its header.
pub fn open_cog(href: &str) -> Result<Cog, Error> {
    let reader = Arc::new(StoreReader::open(href)?);
    let bad = |e: AsyncTiffError| Error::Storage(format!("{href} is not a readable TIFF: {e}"));
    let directories = futures::executor::block_on(read_directories(reader.clone())).map_err(bad)?;
    let first = directories
        .first()
        .ok_or_else(|| Error::Storage(format!("{href} has no image")))?
        .written()
        .clone();
    let mut images = Vec::new();
    for directory in directories {
        let subfile = directory.written().new_subfile_type().unwrap_or(0);
        let Directory {
            tiled: ifd,
            last_strip,
            ..
        } = directory;
        // Bit 2: a transparency mask, which is not an image of its own.
        if subfile & 4 != 0 {
            continue;
        }
        let width = ifd.image_width() as usize;
        let height = ifd.image_height() as usize;
        let block = (
            ifd.tile_height().map_or(height, |h| h as usize),
            ifd.tile_width().map_or(width, |w| w as usize),
        );
        // A tile's bytes: rows of whole bytes, every sample in each (planar bands
        // have a tile each, which this overstates).
        let bits: usize = ifd.bits_per_sample().iter().map(|&b| usize::from(b)).sum();
        let tile_bytes = block.0 * (block.1 * bits).div_ceil(8);
        images.push(Image {
            ifd: Arc::new(ifd),
            last_strip: last_strip.map(Arc::new),
            width,
            height,
            block,
            decoders: Arc::new(inflate::decoders(tile_bytes)),
        });
    }
    let dtype = element_type(&first).ok_or_else(|| {
        Error::Storage(format!(
            "{href}: samples of {:?} bits in format {:?} are not supported",
            first.bits_per_sample(),
            first.sample_format()
        ))
    })?;
    let transform = geotransform(&first);
    let epsg = first.geo_key_directory().and_then(|g| {
        g.projected_type
            .filter(|&c| c != 32767)
            .or(g.geographic_type.filter(|&c| c != 32767))
    });
    let nodata = first
        .gdal_nodata()
        .and_then(|t| t.trim_end_matches('\0').trim().parse::<f64>().ok());
    Ok(Cog {
        href: href.to_owned(),
        reader,
        bands: usize::from(first.samples_per_pixel()),
        images,
        dtype,
        nodata,
        transform,
        epsg,
    })
}

/// An image directory as read: tiled, with the directory of a short last strip, and
/// for a striped image the directory as written (which alone has the georeferencing).
struct Directory {
    tiled: ImageFileDirectory,
    last_strip: Option<ImageFileDirectory>,
    striped: Option<ImageFileDirectory>,
}

impl Directory {
    /// The directory as the file wrote it.
    fn written(&self) -> &ImageFileDirectory {
        self.striped.as_ref().unwrap_or(&self.tiled)
    }
}

/// Every image directory of the file.
async fn read_directories(reader: Arc<dyn AsyncFileReader>) -> AsyncTiffResult<Vec<Directory>> {
    let fetch = ReadaheadMetadataCache::new(reader);
    let file = TiffMetadataReader::try_open(&fetch).await?;
    let mut directories = Vec::new();
    let mut next = file.next_ifd_offset();
    while let Some(offset) = next {
        let directory =
            ImageFileDirectoryReader::open(&fetch, offset, file.bigtiff(), file.endianness())
                .await?;
        let written = directory.read(&fetch).await?;
        directories.push(if written.tile_width().is_some() {
            Directory {
                tiled: written,
                last_strip: None,
                striped: None,
            }
        } else {
            let (tiled, last_strip) = strips_as_tiles(&written, file.endianness())?;
            Directory {
                tiled,
                last_strip,
                striped: Some(written),
            }
        });
        next = directory.finish(&fetch).await?;
    }
    Ok(directories)
}

/// A striped image as a tiled one whose tiles are its strips (as wide as the image),
/// and, when the last strip is shorter, a directory of its own for that strip.
fn strips_as_tiles(
    ifd: &ImageFileDirectory,
    endianness: async_tiff::reader::Endianness,
) -> AsyncTiffResult<(ImageFileDirectory, Option<ImageFileDirectory>)> {
    let missing = |what: &str| AsyncTiffError::General(format!("a striped image without {what}"));
    let (width, height) = (ifd.image_width(), ifd.image_height());
    let rows = ifd
        .rows_per_strip()
        .unwrap_or(height)
        .clamp(1, height.max(1));
    let offsets = ifd
        .strip_offsets()
        .ok_or_else(|| missing("strip offsets"))?;
    let counts = ifd
        .strip_byte_counts()
        .ok_or_else(|| missing("strip byte counts"))?;
    let shorts = |v: Vec<u16>| TagValue::List(v.into_iter().map(TagValue::Short).collect());
    let longs = |v: Vec<u64>| TagValue::List(v.into_iter().map(TagValue::UnsignedBig).collect());
    let mut tags = HashMap::from([
        (Tag::ImageWidth, TagValue::Unsigned(width)),
        (Tag::ImageLength, TagValue::Unsigned(height)),
        (Tag::BitsPerSample, shorts(ifd.bits_per_sample().to_vec())),
        (
            Tag::Compression,
            TagValue::Short(ifd.compression().to_u16()),
        ),
        (
            Tag::PhotometricInterpretation,
            TagValue::Short(ifd.photometric_interpretation().to_u16()),
        ),
        (
            Tag::SamplesPerPixel,
            TagValue::Short(ifd.samples_per_pixel()),
        ),
        (
            Tag::PlanarConfiguration,
            TagValue::Short(ifd.planar_configuration().to_u16()),
        ),
        (
            Tag::SampleFormat,
            shorts(ifd.sample_format().iter().map(|f| f.to_u16()).collect()),
        ),
        (Tag::TileWidth, TagValue::Unsigned(width)),
        (Tag::TileLength, TagValue::Unsigned(rows)),
    ]);
    if let Some(predictor) = ifd.predictor() {
        tags.insert(Tag::Predictor, TagValue::Short(predictor.to_u16()));
    }
    let strips = height.div_ceil(rows) as usize;
    let remainder = height % rows;
    let last = if remainder == 0 {
        None
    } else {
        // The last strip of each band (one band unless the samples are planar).
        let lasts = |v: &[u64]| -> Vec<u64> {
            v.chunks(strips)
                .filter_map(|band| band.last().copied())
                .collect()
        };
        let mut last_tags = tags.clone();
        last_tags.insert(Tag::ImageLength, TagValue::Unsigned(remainder));
        last_tags.insert(Tag::TileLength, TagValue::Unsigned(remainder));
        last_tags.insert(Tag::TileOffsets, longs(lasts(offsets)));
        last_tags.insert(Tag::TileByteCounts, longs(lasts(counts)));
        Some(ImageFileDirectory::from_tags(last_tags, endianness)?)
    };
    tags.insert(Tag::TileOffsets, longs(offsets.to_vec()));
    tags.insert(Tag::TileByteCounts, longs(counts.to_vec()));
    Ok((ImageFileDirectory::from_tags(tags, endianness)?, last))
}

/// rangeo's element type of the image's samples.
fn element_type(ifd: &ImageFileDirectory) -> Option<DType> {
    use async_tiff::tags::SampleFormat as F;
    let bits = *ifd.bits_per_sample().first()?;
    let format = ifd.sample_format().first().copied().unwrap_or(F::Uint);
    Some(match (format, bits) {
        (F::Uint, 8) => DType::UInt8,
        (F::Uint, 16) => DType::UInt16,
        (F::Uint, 32) => DType::UInt32,
        (F::Uint, 64) => DType::UInt64,
        (F::Int, 8) => DType::Int8,
        (F::Int, 16) => DType::Int16,
        (F::Int, 32) => DType::Int32,
        (F::Int, 64) => DType::Int64,
        (F::Float, 32) => DType::Float32,
        (F::Float, 64) => DType::Float64,
        _ => return None,
    })
}

/// GDAL's geotransform from the GeoTIFF tags: a model transformation, or a pixel scale
/// and a tie point.
fn geotransform(ifd: &ImageFileDirectory) -> Option<[f64; 6]> {
    if let Some(m) = ifd.model_transformation()
        && m.len() >= 8
    {
        return Some([m[3], m[0], m[1], m[7], m[4], m[5]]);
    }
    let scale = ifd.model_pixel_scale()?;
    let tie = ifd.model_tiepoint()?;
    if scale.len() < 2 || tie.len() < 6 {
        return None;
    }
    let (i, j, x, y) = (tie[0], tie[1], tie[3], tie[4]);
    Some([
        x - i * scale[0],
        scale[0],
        0.0,
        y + j * scale[1],
        0.0,
        -scale[1],
    ])
}

impl Cog {
    /// Where the file was read from.
    #[must_use]
    pub fn href(&self) -> &str {
        &self.href
    }

    /// Columns and rows of the full-resolution image.
    #[must_use]
    pub fn shape(&self) -> (usize, usize) {
        (self.images[0].height, self.images[0].width)
    }

    /// The number of bands.
    #[must_use]
    pub fn bands(&self) -> usize {
        self.bands
    }

    /// The element type of the samples.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The value that marks missing pixels (`GDAL_NODATA`), if the file has one.
    #[must_use]
    pub fn nodata(&self) -> Option<f64> {
        self.nodata
    }

    /// GDAL's geotransform of the full-resolution image, if the file is georeferenced.
    #[must_use]
    pub fn transform(&self) -> Option<[f64; 6]> {
        self.transform
    }

    /// The EPSG code of the coordinate reference system, if the file names one.
    #[must_use]
    pub fn epsg(&self) -> Option<u16> {
        self.epsg
    }

    /// `[left, bottom, right, top]` of a north-up image.
    #[must_use]
    pub fn bounds(&self) -> Option<[f64; 4]> {
        Some(crate::io::warp::bounds(&self.transform?, self.shape()))
    }

    /// The (rows, columns) of each overview, largest first.
    #[must_use]
    pub fn overviews(&self) -> Vec<(usize, usize)> {
        self.images[1..]
            .iter()
            .map(|i| (i.height, i.width))
            .collect()
    }

    /// The (rows, columns) of the tiles (or strips) of the full-resolution image.
    #[must_use]
    pub fn block_shape(&self) -> (usize, usize) {
        self.images[0].block
    }

    fn image(&self, level: usize) -> Result<&Image, Error> {
        self.images.get(level).ok_or_else(|| {
            Error::Storage(format!(
                "{} has {} overview{}; there is no level {level}",
                self.href,
                self.images.len() - 1,
                if self.images.len() == 2 { "" } else { "s" }
            ))
        })
    }

    /// The pixels of `rows` and `cols` of every band at `level` (0: full resolution,
    /// 1...: the overviews), as `(band, row, column)` values of the file's type. Only the
    /// tiles that hold the window are read.
    pub fn read_window(
        &self,
        level: usize,
        rows: Range<usize>,
        cols: Range<usize>,
    ) -> Result<Values, Error> {
        let image = self.image(level)?;
        if rows.end > image.height
            || cols.end > image.width
            || rows.start > rows.end
            || cols.start > cols.end
        {
            return Err(Error::Storage(format!(
                "rows {rows:?} and columns {cols:?} are outside the {}x{} image of {}",
                image.height, image.width, self.href
            )));
        }
        let shape = (self.bands, rows.len(), cols.len());
        let (bh, bw) = image.block;
        let tiles: Vec<(usize, usize)> = (rows.start / bh..rows.end.div_ceil(bh))
            .flat_map(|ty| (cols.start / bw..cols.end.div_ceil(bw)).map(move |tx| (tx, ty)))
            .collect();
        let decode = |((tx, ty), tile): Fetched| {
            self.decode(image, tile, tx, ty)
                .map(|decoded| ((tx, ty), decoded))
        };
        let fetched = self.fetch(image, &tiles)?;
        let decoded: Vec<_> = if crate::array::parallel(shape.0 * shape.1 * shape.2) {
            fetched
                .into_par_iter()
                .map(decode)
                .collect::<Result<_, _>>()?
        } else {
            fetched.into_iter().map(decode).collect::<Result<_, _>>()?
        };
        macro_rules! gather {
            ($variant:ident, $t:ty) => {{
                let fill: $t = self
                    .nodata
                    .and_then(num_traits::NumCast::from)
                    .unwrap_or_default();
                let mut out = Array3::<$t>::from_elem(shape, fill);
                for ((tx, ty), (data, [th, tw, spp])) in decoded {
                    let TypedArray::$variant(data) = data else {
                        return Err(self.corrupt(tx, ty, "a different element type"));
                    };
                    copy_tile(
                        &data,
                        (th, tw, spp),
                        (ty * bh, tx * bw),
                        &rows,
                        &cols,
                        &mut out,
                    );
                }
                Values::from_array(out)
            }};
        }
        Ok(match self.dtype {
            DType::UInt8 => gather!(UInt8, u8),
            DType::UInt16 => gather!(UInt16, u16),
            DType::UInt32 => gather!(UInt32, u32),
            DType::UInt64 => gather!(UInt64, u64),
            DType::Int8 => gather!(Int8, i8),
            DType::Int16 => gather!(Int16, i16),
            DType::Int32 => gather!(Int32, i32),
            DType::Int64 => gather!(Int64, i64),
            DType::Float32 => gather!(Float32, f32),
            _ => gather!(Float64, f64),
        })
    }

    /// The compressed tiles at `tiles` (column, row) of `image`, leaving out those the
    /// file leaves out (a sparse file's empty tiles, read as nodata, or 0 without one,
    /// as GDAL reads them). They are asked of the store together, which merges
    /// neighbouring tiles into one request and sends the others concurrently.
    fn fetch(&self, image: &Image, tiles: &[(usize, usize)]) -> Result<Vec<Fetched>, Error> {
        let last_row = image.height.div_ceil(image.block.0) - 1;
        let mut full = Vec::new();
        let mut short = None;
        for &(tx, ty) in tiles {
            // A short last strip has a directory of its own, where it is row 0.
            let last = (ty == last_row && image.block.1 == image.width)
                .then_some(image.last_strip.as_ref())
                .flatten();
            let ifd = last.unwrap_or(&image.ifd);
            let empty = match ifd.tile_byte_range(tx, if last.is_some() { 0 } else { ty }) {
                Some(TileByteRange::Chunky(range)) => range.is_empty(),
                Some(TileByteRange::Planar(ranges)) => ranges.iter().all(Range::is_empty),
                None => return Err(self.corrupt(tx, ty, "the file has no such tile")),
            };
            match (empty, last) {
                (true, _) => {}
                (false, Some(ifd)) => short = Some(((tx, ty), ifd)),
                (false, None) => full.push((tx, ty)),
            }
        }
        let reader: &dyn AsyncFileReader = self.reader.as_ref();
        let mut fetched = Vec::with_capacity(full.len() + 1);
        if let [first, .., last] | [first @ last] = full.as_slice() {
            let tiles =
                futures::executor::block_on(image.ifd.fetch_tiles(&full, reader)).map_err(|e| {
                    let why = e.to_string();
                    if first == last {
                        return self.corrupt(first.0, first.1, &why);
                    }
                    Error::Storage(format!(
                        "cannot read tiles ({}, {}) to ({}, {}) of {}: {why}",
                        first.1, first.0, last.1, last.0, self.href
                    ))
                })?;
            fetched.extend(full.iter().copied().zip(tiles));
        }
        if let Some(((tx, ty), ifd)) = short {
            let tile = futures::executor::block_on(ifd.fetch_tile(tx, 0, reader))
                .map_err(|e| self.corrupt(tx, ty, &e.to_string()))?;
            fetched.push(((tx, ty), tile));
        }
        Ok(fetched)
    }

    /// The tile at column `tx`, row `ty` of `image` decoded, with its (rows, columns,
    /// samples).
    fn decode(
        &self,
        image: &Image,
        tile: Tile,
        tx: usize,
        ty: usize,
    ) -> Result<(TypedArray, [usize; 3]), Error> {
        // async-tiff's decoders panic on some corrupt data: that is an error of this
        // tile, not of the kernel. (The decoders hold no state a panic could break.)
        let decoders = std::panic::AssertUnwindSafe(&image.decoders);
        let decoded = std::panic::catch_unwind(|| tile.decode(&decoders)).map_err(|panic| {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "the decoder failed".to_owned());
            self.corrupt(tx, ty, &why)
        })?;
        let array = decoded.map_err(|e| self.corrupt(tx, ty, &e.to_string()))?;
        let [a, b, c] = array.shape();
        let planar = matches!(
            image.ifd.planar_configuration(),
            async_tiff::tags::PlanarConfiguration::Planar
        );
        let (data, _, _) = array.into_inner();
        if planar {
            // (bands, rows, columns): to (rows, columns, bands).
            return Ok((to_chunky(data, [a, b, c]), [b, c, a]));
        }
        Ok((data, [a, b, c]))
    }

    fn corrupt(&self, tx: usize, ty: usize, why: &str) -> Error {
        Error::Storage(format!(
            "cannot read tile ({ty}, {tx}) of {}: {why}",
            self.href
        ))
    }

    /// The whole image at `level` (0: full resolution, 1...: the overviews) as a
    /// `DataArray` `(band, y, x)` with the pixel-centre coordinates, as rioxarray opens it,
    /// and the file's nodata, CRS and transform in its attributes.
    pub fn read(&self, level: usize) -> Result<DataArray, Error> {
        let image = self.image(level)?;
        let values = self.read_window(level, 0..image.height, 0..image.width)?;
        let bands: Vec<i64> = (1..=u16::try_from(self.bands).unwrap_or(u16::MAX))
            .map(i64::from)
            .collect();
        let mut array = DataArray::new(["band", "y", "x"], values)?.assign_coords("band", bands)?;
        if let Some(t) = self.transform {
            let sx = t[1] * self.images[0].width as f64 / image.width as f64;
            let sy = t[5] * self.images[0].height as f64 / image.height as f64;
            let xs: Vec<f64> = (0..image.width)
                .map(|i| t[0] + sx * (i as f64 + 0.5))
                .collect();
            let ys: Vec<f64> = (0..image.height)
                .map(|j| t[3] + sy * (j as f64 + 0.5))
                .collect();
            array = array.assign_coords("x", xs)?.assign_coords("y", ys)?;
            let transform = format!("{} {sx} {} {} {} {sy}", t[0], t[2], t[3], t[4]);
            array = array.assign_attrs([("transform", transform)]);
        }
        if let Some(code) = self.epsg {
            array = array.assign_attrs([("crs", format!("EPSG:{code}"))]);
        }
        if let Some(nodata) = self.nodata {
            array = array.assign_attrs([("_FillValue", nodata)]);
        }
        Ok(array)
    }
}

/// Band-sequential samples `[bands, rows, columns]` interleaved by pixel.
fn to_chunky(data: TypedArray, [bands, rows, cols]: [usize; 3]) -> TypedArray {
    fn interleave<T: Copy>(v: &[T], bands: usize, n: usize) -> Vec<T> {
        (0..n * bands)
            .map(|k| v[(k % bands) * n + k / bands])
            .collect()
    }
    let n = rows * cols;
    match data {
        TypedArray::UInt8(v) => TypedArray::UInt8(interleave(&v, bands, n)),
        TypedArray::UInt16(v) => TypedArray::UInt16(interleave(&v, bands, n)),
        TypedArray::UInt32(v) => TypedArray::UInt32(interleave(&v, bands, n)),
        TypedArray::UInt64(v) => TypedArray::UInt64(interleave(&v, bands, n)),
        TypedArray::Int8(v) => TypedArray::Int8(interleave(&v, bands, n)),
        TypedArray::Int16(v) => TypedArray::Int16(interleave(&v, bands, n)),
        TypedArray::Int32(v) => TypedArray::Int32(interleave(&v, bands, n)),
        TypedArray::Int64(v) => TypedArray::Int64(interleave(&v, bands, n)),
        TypedArray::Float32(v) => TypedArray::Float32(interleave(&v, bands, n)),
        TypedArray::Float64(v) => TypedArray::Float64(interleave(&v, bands, n)),
        TypedArray::Bool(v) => TypedArray::Bool(interleave(&v, bands, n)),
    }
}

/// Copies the part of a decoded tile (`(rows, columns, samples)`, its first pixel at
/// `origin` of the image) that falls in the window into `out` (`(band, row, column)` of
/// the window).
fn copy_tile<T: Copy>(
    data: &[T],
    (th, tw, spp): (usize, usize, usize),
    (oy, ox): (usize, usize),
    rows: &Range<usize>,
    cols: &Range<usize>,
    out: &mut Array3<T>,
) {
    let y0 = oy.max(rows.start);
    let y1 = (oy + th).min(rows.end);
    let x0 = ox.max(cols.start);
    let x1 = (ox + tw).min(cols.end);
    if y0 >= y1 || x0 >= x1 {
        return;
    }
    let (height, width) = (rows.len(), cols.len());
    let bands = spp.min(out.shape()[0]);
    let out = out
        .as_slice_mut()
        .expect("a window is made in standard order");
    for band in 0..bands {
        for y in y0..y1 {
            let from = ((y - oy) * tw + (x0 - ox)) * spp + band;
            let to = (band * height + y - rows.start) * width + (x0 - cols.start);
            let row = &mut out[to..to + (x1 - x0)];
            if spp == 1 {
                row.copy_from_slice(&data[from..from + (x1 - x0)]);
            } else {
                for (o, &v) in row.iter_mut().zip(data[from..].iter().step_by(spp)) {
                    *o = v;
                }
            }
        }
    }
}

impl Repr for Cog {
    fn repr(&self) -> MimeBundle {
        let (rows, cols) = self.shape();
        let mut plain = format!(
            "<Cog {}>\n  {} band{} of {rows} x {cols} {}, blocks of {:?}",
            self.href,
            self.bands,
            if self.bands == 1 { "" } else { "s" },
            self.dtype,
            self.block_shape()
        );
        if let Some(code) = self.epsg {
            let _ = write!(plain, "\n  crs: EPSG:{code}");
        }
        if let Some(b) = self.bounds() {
            let _ = write!(
                plain,
                "\n  bounds: [{}, {}, {}, {}]",
                b[0], b[1], b[2], b[3]
            );
        }
        if let Some(nodata) = self.nodata {
            let _ = write!(plain, "\n  nodata: {nodata}");
        }
        if !self.overviews().is_empty() {
            let _ = write!(plain, "\n  overviews: {:?}", self.overviews());
        }
        let html = format!("<pre>{}</pre>", crate::display::html::escape(&plain));
        MimeBundle::text(plain).with("text/html", html)
    }
}

/// A file in a store, read by byte ranges.
struct StoreReader {
    href: String,
    store: Store,
    key: String,
    /// The file's length: reads past it (the header's read-ahead) stop there.
    size: u64,
}

impl StoreReader {
    fn open(href: &str) -> Result<Self, Error> {
        let (root, key) = match href.split_once("://") {
            Some((scheme, _)) if scheme != "file" => {
                let url = url::Url::parse(href)
                    .map_err(|e| Error::Storage(format!("cannot read {href} as a URL: {e}")))?;
                let (dir, name) = url.path().rsplit_once('/').unwrap_or(("", url.path()));
                (
                    format!("{}{dir}/", &url[..url::Position::BeforePath]),
                    name.to_owned(),
                )
            }
            _ => {
                let path = std::path::Path::new(href.strip_prefix("file://").unwrap_or(href));
                if !path.is_file() {
                    return Err(Error::Storage(format!("no file at {href}")));
                }
                let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
                (
                    dir.map_or(".".to_owned(), |d| d.to_string_lossy().into_owned()),
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                )
            }
        };
        let store = Store::open(&root, &[])?;
        let size = store
            .storage
            .size_key(&store_key(&key))
            .map_err(|e| Error::Storage(format!("cannot read {href}: {e}")))?
            .ok_or_else(|| Error::Storage(format!("no file at {href}")))?;
        Ok(StoreReader {
            href: href.to_owned(),
            store,
            key,
            size,
        })
    }
}

impl std::fmt::Debug for StoreReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoreReader({})", self.href)
    }
}

impl StoreReader {
    /// The bytes of `ranges`, in one request to the store (empty ranges read nothing).
    fn read(&self, ranges: &[Range<u64>]) -> AsyncTiffResult<Vec<Bytes>> {
        use zarrs::storage::byte_range::ByteRange;
        let key = store_key(&self.key);
        let fail = |e: &dyn std::fmt::Display| {
            AsyncTiffError::General(format!("cannot read {}: {e}", self.href))
        };
        let wanted = ranges
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| ByteRange::FromStart(r.start, Some(r.end - r.start)));
        // A range a server answers with the whole file (as HTTP servers answer one
        // covering all of a small file) is cut from it by the store.
        let mut parts = self
            .store
            .storage
            .get_partial_many(&key, Box::new(wanted))
            .map_err(|e| fail(&e))?
            .ok_or_else(|| AsyncTiffError::General(format!("no file at {}", self.href)))?;
        ranges
            .iter()
            .map(|r| {
                if r.is_empty() {
                    return Ok(Bytes::new());
                }
                parts
                    .next()
                    .transpose()
                    .map_err(|e| fail(&e))?
                    .ok_or_else(|| {
                        AsyncTiffError::General(format!("nothing read from {}", self.href))
                    })
            })
            .collect()
    }
}

#[async_trait::async_trait]
impl AsyncFileReader for StoreReader {
    async fn get_bytes(&self, range: Range<u64>) -> AsyncTiffResult<Bytes> {
        let end = range.end.min(self.size);
        let range = range.start.min(end)..end;
        let mut read = self.read(std::slice::from_ref(&range))?;
        Ok(read.pop().unwrap_or_default())
    }

    async fn get_byte_ranges(&self, ranges: Vec<Range<u64>>) -> AsyncTiffResult<Vec<Bytes>> {
        self.read(&ranges)
    }
}
