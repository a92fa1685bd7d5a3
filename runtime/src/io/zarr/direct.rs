//! Chunks of the codec chains most stores use, decoded by rangeo into buffers it
//! chooses: the `bytes` codec (or a v2 numpy dtype) and at most one compressor among
//! zstd, blosc, zlib and gzip, over numbers. Keys, stores and metadata stay zarrs'; only
//! the last step, the codec library's decode call, is made here, into a buffer that is
//! reused (a chunk on its way into a larger result) or that becomes the chunk's array
//! (no copy). A local file is streamed into it (zstd, and blosc run of blocks by run
//! of blocks: see `blosc.rs`) or read straight into it (uncompressed), so no buffer
//! holds its encoded bytes; other files and remote objects are read whole first. Every
//! other chain (sharding, transposes, filters,
//! checksums, text, booleans, times) and every missing chunk (the fill value) is read
//! through zarrs.
//!
//! Why: zarrs' bytes-to-bytes codecs return a new vector per chunk (`decode` gives an
//! owned `Vec`), and glibc maps each allocation above 32 MiB afresh, so a chunk of
//! tens of megabytes paid its page faults twice (the file read, the decoded bytes)
//! before a copy into its place. On `bench/engine.py`'s time-heavy zstd store (24
//! chunks of 48 MB, 2 threads) zarrs' `retrieve_chunk` took 1.53 s with a sum, reading
//! and decoding with libzstd into reused buffers 0.57 s, and a full read through
//! rangeo 3.3 s. The change zarrs could take upstream is a `decode_into(encoded, &mut
//! [u8])` on its bytes-to-bytes codecs, which this module stands in for.

use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{ZarrArray, blosc};
use crate::array::{DType, Values};
use crate::compute::{ChunkTarget, SCRATCH, runs};

/// How a chunk's bytes are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compressor {
    None,
    Zstd,
    Blosc,
    Zlib,
    Gzip,
}

/// A chunk as a store holds it.
enum Stored {
    /// A local store's file, open, and its length in bytes.
    File(std::fs::File, usize),
    /// The bytes a remote store gave.
    Bytes(zarrs::storage::Bytes),
}

/// How to read and decode the chunks of one array.
#[derive(Debug)]
pub(super) struct Direct {
    compressor: Compressor,
    dtype: DType,
    /// Bytes per element.
    item: usize,
    /// Whether the stored numbers are big-endian (swapped after decoding).
    big_endian: bool,
    /// The shape every chunk is stored with (edge chunks padded to it).
    chunk_shape: Vec<usize>,
    /// The store's directory, for stores of local files.
    root: Option<PathBuf>,
}

impl Direct {
    /// The decoder for `array` (holding `stored` values), when its codec chain is one
    /// this module decodes; `root` is the store's directory for local stores.
    pub(super) fn of(array: &ZarrArray, stored: DType, root: Option<&Path>) -> Option<Self> {
        let numbers = matches!(
            stored,
            DType::Int8
                | DType::Int16
                | DType::Int32
                | DType::Int64
                | DType::UInt8
                | DType::UInt16
                | DType::UInt32
                | DType::UInt64
                | DType::Float16
                | DType::Float32
                | DType::Float64
        );
        let item = stored.item_size()?;
        if !numbers || array.data_type().fixed_size() != Some(item) {
            return None;
        }
        let metadata = serde_json::to_value(array.metadata()).ok()?;
        let (compressor, big_endian, chunk_shape) = if metadata["zarr_format"] == 2 {
            v2_chain(&metadata)?
        } else {
            v3_chain(&metadata)?
        };
        if chunk_shape.len() != array.dimensionality() {
            return None;
        }
        Some(Self {
            compressor,
            dtype: stored,
            item,
            big_endian: big_endian && item > 1,
            chunk_shape,
            root: root.map(Path::to_path_buf),
        })
    }

    /// Chunk `index` as values of the chunk's `shape` within the array; `None` when
    /// the store has no such chunk. A chunk is decoded straight into its values (one at
    /// the array's far edge at its stored size, then cut in place).
    pub(super) fn read(
        &self,
        array: &ZarrArray,
        index: &[usize],
        shape: &[usize],
    ) -> Result<Option<Values>, String> {
        let Some(stored) = self.open(array, index)? else {
            return Ok(None);
        };
        let mut values = Values::zeros(self.dtype, &self.chunk_shape).expect("a number dtype");
        let bytes = values.bytes_mut().expect("a new array");
        self.decode_stored(stored, bytes)?;
        if shape == self.chunk_shape {
            return Ok(Some(values));
        }
        self.cut(bytes, shape);
        Ok(Some(values.truncated(shape)))
    }

    /// Decodes chunk `index` (of `shape` within the array) into `target`: straight into
    /// it when the chunk is one run of the result's bytes, through a reused buffer
    /// otherwise; `false` when the store has no such chunk.
    pub(super) fn read_into(
        &self,
        array: &ZarrArray,
        index: &[usize],
        shape: &[usize],
        target: &mut ChunkTarget<'_>,
    ) -> Result<bool, String> {
        let Some(stored) = self.open(array, index)? else {
            return Ok(false);
        };
        if shape == self.chunk_shape
            && let Some(run) = target.contiguous()
        {
            self.decode_stored(stored, run)?;
            return Ok(true);
        }
        let mut decoded = SCRATCH.take(self.chunk_bytes());
        let bytes = &mut decoded[..self.chunk_bytes()];
        let result = self.decode_stored(stored, bytes).and_then(|()| {
            let len = self.cut(bytes, shape);
            target
                .copy_from_slice(&bytes[..len])
                .map_err(|e| e.to_string())
        });
        SCRATCH.give(decoded);
        result.map(|()| true)
    }

    fn chunk_bytes(&self) -> usize {
        self.chunk_shape.iter().product::<usize>() * self.item
    }

    /// Chunk `index` as stored: the open file of a local store, the object a remote
    /// store gives; `None` when there is no such chunk.
    fn open(&self, array: &ZarrArray, index: &[usize]) -> Result<Option<Stored>, String> {
        let at: Vec<u64> = index.iter().map(|&i| i as u64).collect();
        let key = array.chunk_key(&at);
        let Some(root) = &self.root else {
            let bytes = array.storage().get(&key).map_err(|e| e.to_string())?;
            return Ok(bytes.map(Stored::Bytes));
        };
        let file = match std::fs::File::open(root.join(key.as_str())) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        let len = file
            .metadata()
            .map_err(|e| e.to_string())
            .and_then(|m| usize::try_from(m.len()).map_err(|e| e.to_string()))?;
        Ok(Some(Stored::File(file, len)))
    }

    /// Decodes a `stored` chunk into `out`, which it must fill exactly. A local file is
    /// read straight into `out` when uncompressed and streamed into it when zstd or
    /// blosc (large chunks), so no buffer holds its encoded bytes (a chunk that is a
    /// whole 1 GB variable would otherwise need its compressed 700 MB beside it); other
    /// files are read into a reused buffer and decoded from there.
    fn decode_stored(&self, stored: Stored, out: &mut [u8]) -> Result<(), String> {
        let written = match stored {
            Stored::Bytes(bytes) => self.decode(&bytes, out)?,
            Stored::File(file, len) => match self.compressor {
                Compressor::None => {
                    if len == out.len() {
                        read_at(&file, out).map_err(|e| e.to_string())?;
                    }
                    len
                }
                Compressor::Zstd => stream_zstd(&file, len, out)?,
                Compressor::Blosc if out.len() > blosc::PIECE => {
                    blosc::decode_file(&file, len, out)?
                }
                _ => {
                    let mut encoded = SCRATCH.take(len);
                    let result = read_at(&file, &mut encoded[..len])
                        .map_err(|e| e.to_string())
                        .and_then(|()| self.decode(&encoded[..len], out));
                    SCRATCH.give(encoded);
                    result?
                }
            },
        };
        if written != out.len() {
            return Err(format!(
                "the chunk decodes to {written} bytes, not the {} of its {:?} {} values",
                out.len(),
                self.chunk_shape,
                self.dtype
            ));
        }
        self.to_native(out);
        Ok(())
    }

    /// Decodes `encoded` into `out` with the codec library and returns how many bytes
    /// it wrote.
    fn decode(&self, encoded: &[u8], out: &mut [u8]) -> Result<usize, String> {
        Ok(match self.compressor {
            Compressor::None => {
                if encoded.len() == out.len() {
                    out.copy_from_slice(encoded);
                }
                encoded.len()
            }
            Compressor::Zstd => zstd::bulk::Decompressor::new()
                .and_then(|mut d| d.decompress_to_buffer(encoded, out))
                .map_err(|e| format!("zstd: {e}"))?,
            Compressor::Blosc => blosc::decode(encoded, out)?,
            Compressor::Zlib => {
                let mut inflate = flate2::Decompress::new(true);
                let status = inflate
                    .decompress(encoded, out, flate2::FlushDecompress::Finish)
                    .map_err(|e| format!("zlib: {e}"))?;
                if status != flate2::Status::StreamEnd {
                    return Err(format!(
                        "zlib: the stream goes on past the chunk's {} bytes",
                        out.len()
                    ));
                }
                usize::try_from(inflate.total_out()).unwrap_or(usize::MAX)
            }
            Compressor::Gzip => {
                let mut reader = flate2::read::GzDecoder::new(encoded);
                reader.read_exact(out).map_err(|e| format!("gzip: {e}"))?;
                let more = reader.read(&mut [0]).map_err(|e| format!("gzip: {e}"))?;
                out.len() + more
            }
        })
    }

    /// Decoded bytes in the machine's order (stores may hold big-endian values).
    fn to_native(&self, out: &mut [u8]) {
        if self.big_endian {
            for element in out.chunks_exact_mut(self.item) {
                element.reverse();
            }
        }
    }

    /// Moves the block `shape` at the start of a decoded chunk's `bytes` to the front of
    /// them, in C order (an edge chunk cut to the array, run by run, in place: no run
    /// moves past one still to be moved), and returns its length in bytes.
    fn cut(&self, bytes: &mut [u8], shape: &[usize]) -> usize {
        let len = shape.iter().product::<usize>() * self.item;
        if len == 0 {
            return 0;
        }
        let block: Vec<Range<usize>> = shape.iter().map(|&n| 0..n).collect();
        let (run, starts) = runs(&self.chunk_shape, &block, self.item);
        for (k, from) in starts.enumerate() {
            bytes.copy_within(from..from + run, k * run);
        }
        len
    }
}

/// Decodes the zstd frames of `file` (`len` bytes) into `out` as they are read, through
/// a small buffer, and returns how many bytes they decoded to: libzstd writes straight
/// into `out` (a stable output buffer) and no buffer holds the whole encoded chunk.
fn stream_zstd(file: &std::fs::File, len: usize, out: &mut [u8]) -> Result<usize, String> {
    use std::os::unix::fs::FileExt;
    use zstd::zstd_safe::{DCtx, DParameter, InBuffer, OutBuffer};
    const PIECE: usize = 1 << 20;
    let zstd = |e: usize| format!("zstd: {}", zstd::zstd_safe::get_error_name(e));
    let mut context = DCtx::create();
    context
        .set_parameter(DParameter::StableOutBuffer(true))
        .and_then(|_| context.set_parameter(DParameter::WindowLogMax(31)))
        .map_err(zstd)?;
    let mut input = vec![0; PIECE.min(len)];
    let (mut read, mut written, mut left) = (0, 0, 0);
    while read < len {
        let piece = &mut input[..PIECE.min(len - read)];
        file.read_exact_at(piece, read as u64)
            .map_err(|e| e.to_string())?;
        read += piece.len();
        let mut from = InBuffer::around(piece);
        while from.pos() < from.src.len() {
            let consumed = from.pos();
            let mut into = OutBuffer::around_pos(out, written);
            left = context
                .decompress_stream(&mut into, &mut from)
                .map_err(zstd)?;
            if into.pos() == written && from.pos() == consumed {
                return Err(format!(
                    "zstd: the chunk decodes to more than the {} bytes of its values",
                    out.len()
                ));
            }
            written = into.pos();
        }
    }
    if left != 0 {
        return Err(format!("zstd: the chunk's {len} bytes end inside a frame"));
    }
    Ok(written)
}

/// Fills `out` from the start of `file`, in pieces read side by side on the worker
/// pool's idle threads when it has them (a chunk that is the whole array is otherwise
/// copied out of the page cache by one thread while the others wait).
fn read_at(file: &std::fs::File, out: &mut [u8]) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    const PIECE: usize = 16 << 20;
    crate::array::in_pieces(out, PIECE, |k, piece| {
        file.read_exact_at(piece, (k * PIECE) as u64)
    })
}

/// The compressor, byte order and chunk shape of a v3 array whose codecs are `bytes`
/// and at most one compressor.
fn v3_chain(metadata: &Value) -> Option<(Compressor, bool, Vec<usize>)> {
    let grid = &metadata["chunk_grid"];
    if grid["name"] != "regular" {
        return None;
    }
    let shape = serde_json::from_value(grid["configuration"]["chunk_shape"].clone()).ok()?;
    let codecs = metadata["codecs"].as_array()?;
    let (bytes, rest) = codecs.split_first()?;
    if bytes["name"] != "bytes" {
        return None;
    }
    let big_endian = bytes["configuration"]["endian"] == "big";
    let compressor = match rest {
        [] => Compressor::None,
        [one] => match one["name"].as_str()? {
            "zstd" => Compressor::Zstd,
            "blosc" => Compressor::Blosc,
            "gzip" => Compressor::Gzip,
            _ => return None,
        },
        _ => return None,
    };
    Some((compressor, big_endian, shape))
}

/// The compressor, byte order and chunk shape of a v2 array in C order with no
/// filters and a numpy dtype.
fn v2_chain(metadata: &Value) -> Option<(Compressor, bool, Vec<usize>)> {
    let filters = &metadata["filters"];
    let no_filters = filters.is_null() || filters.as_array().is_some_and(Vec::is_empty);
    if !no_filters || metadata["order"] != "C" {
        return None;
    }
    let big_endian = metadata["dtype"].as_str()?.starts_with('>');
    let compressor = match &metadata["compressor"] {
        Value::Null => Compressor::None,
        compressor => match compressor["id"].as_str()? {
            "zstd" => Compressor::Zstd,
            "blosc" => Compressor::Blosc,
            "zlib" => Compressor::Zlib,
            "gzip" => Compressor::Gzip,
            _ => return None,
        },
    };
    let shape = serde_json::from_value(metadata["chunks"].clone()).ok()?;
    Some((compressor, big_endian, shape))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_of(bytes: &[u8]) -> (tempfile::NamedTempFile, std::fs::File) {
        let mut named = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut named, bytes).unwrap();
        let file = std::fs::File::open(named.path()).unwrap();
        (named, file)
    }

    #[test]
    fn zstd_streams_from_a_file_to_what_libzstd_decodes_whole() {
        // Noisy bytes, so the encoded file spans several 1 MiB pieces; and two frames
        // one after the other, as a writer may append them.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let data: Vec<u8> = (0..6 << 20)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 58) as u8
            })
            .collect();
        let one = zstd::bulk::compress(&data, 1).unwrap();
        assert!(one.len() > 1 << 20);
        let mut two = zstd::bulk::compress(&data[..1000], 3).unwrap();
        two.extend(zstd::bulk::compress(&data[1000..], 3).unwrap());
        for encoded in [one, two] {
            let (_named, file) = file_of(&encoded);
            let mut out = vec![0; data.len()];
            assert_eq!(stream_zstd(&file, encoded.len(), &mut out), Ok(data.len()));
            assert!(out == data);
        }
    }

    #[test]
    fn a_zstd_chunk_of_the_wrong_length_or_cut_short_is_an_error() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 97) as u8).collect();
        let encoded = zstd::bulk::compress(&data, 1).unwrap();
        let (_named, file) = file_of(&encoded);
        let mut short = vec![0; data.len() - 1];
        // libzstd refuses to write past the end of the values.
        let error = stream_zstd(&file, encoded.len(), &mut short).unwrap_err();
        assert!(
            error.contains("zstd: Destination buffer is too small"),
            "{error}"
        );
        let mut long = vec![0; data.len() + 1];
        assert_eq!(stream_zstd(&file, encoded.len(), &mut long), Ok(data.len()));
        let cut = &encoded[..encoded.len() - 5];
        let (_named, file) = file_of(cut);
        let error = stream_zstd(&file, cut.len(), &mut long).unwrap_err();
        assert!(error.contains("end inside a frame"), "{error}");
        let (_named, file) = file_of(b"not zstd at all");
        let error = stream_zstd(&file, 15, &mut long).unwrap_err();
        assert!(error.starts_with("zstd: "), "{error}");
    }
}
