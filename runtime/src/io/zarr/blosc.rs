//! Blosc (version 1 format) buffers decoded with c-blosc: whole, or a large local
//! chunk piece by piece straight from its file.
//!
//! A blosc buffer is a 16-byte header, the offsets of its blocks (each block
//! compressed on its own) and the blocks. c-blosc decodes a whole buffer held in
//! memory; a chunk that is a whole 1.14 GB variable then needed its 735 MB of encoded
//! bytes beside its values. [`decode_file`] reads a few blocks at a time instead and
//! gives c-blosc each run of blocks as a buffer of its own (the same header with the
//! run's sizes, the run's block offsets, its blocks), decoded straight into the run's
//! place in the values; runs are decoded side by side on the worker pool's idle
//! threads, as c-blosc's own threads would.

use std::fs::File;
use std::os::unix::fs::FileExt;

use crate::compute::SCRATCH;

/// The decoded bytes of a run of blocks (at least one block): files whose values are
/// longer are decoded run by run.
pub(super) const PIECE: usize = 16 << 20;

/// The length of a blosc header.
const HEADER: usize = 16;

/// The header flag of a buffer whose bytes are stored as they are (no blocks).
const MEMCPYED: u8 = 0x2;

/// Decodes a blosc buffer into `out` with c-blosc, on the worker pool's idle threads
/// when the chunk is the last work left (one thread while other tasks run beside it).
pub(super) fn decode(encoded: &[u8], out: &mut [u8]) -> Result<usize, String> {
    let mut size = 0;
    // SAFETY: c-blosc reads at most `encoded.len()` bytes to check the header.
    let valid = unsafe {
        blosc_src::blosc_cbuffer_validate(encoded.as_ptr().cast(), encoded.len(), &raw mut size)
    };
    if valid != 0 || size != out.len() {
        return Err(format!(
            "blosc: not a blosc buffer of {} bytes (its header says {size})",
            out.len()
        ));
    }
    let threads = if crate::array::parallel(out.len()) {
        crate::session::thread_pool().current_num_threads()
    } else {
        1
    };
    decompress(encoded, out, threads)
}

/// c-blosc's decode of a validated buffer (`out` is the size its header says) on
/// `threads` threads of its own, returning how many bytes it wrote.
fn decompress(encoded: &[u8], out: &mut [u8], threads: usize) -> Result<usize, String> {
    // SAFETY: the header was validated for `out.len()` decoded bytes, and c-blosc
    // writes at most `destsize` bytes into `out`.
    let written = unsafe {
        blosc_src::blosc_decompress_ctx(
            encoded.as_ptr().cast(),
            out.as_mut_ptr().cast(),
            out.len(),
            i32::try_from(threads).unwrap_or(1),
        )
    };
    usize::try_from(written).map_err(|_| format!("blosc: decompression failed ({written})"))
}

/// Decodes the blosc buffer in `file` (`len` bytes) into `out` run of blocks by run of
/// blocks, and returns how many bytes it decoded to.
pub(super) fn decode_file(file: &File, len: usize, out: &mut [u8]) -> Result<usize, String> {
    let io = |e: std::io::Error| format!("blosc: {e}");
    let mut header = [0; HEADER];
    if len < HEADER {
        return Err(format!("blosc: a chunk of {len} bytes has no blosc header"));
    }
    file.read_exact_at(&mut header, 0).map_err(io)?;
    let word = |at: usize| u32::from_le_bytes(header[at..at + 4].try_into().expect("4 bytes"));
    let (size, block, total) = (word(4) as usize, word(8) as usize, word(12) as usize);
    if size != out.len() || total != len || block == 0 {
        return Err(format!(
            "blosc: not a blosc buffer of {} bytes in a {len}-byte chunk (its header says \
             {size} bytes in {total})",
            out.len()
        ));
    }
    if header[2] & MEMCPYED != 0 {
        if len != HEADER + size {
            return Err(format!("blosc: a stored buffer of {size} bytes in {len}"));
        }
        file.read_exact_at(out, HEADER as u64).map_err(io)?;
        return Ok(size);
    }
    let blocks = size.div_ceil(block);
    let mut starts = vec![0; blocks * 4];
    file.read_exact_at(&mut starts, HEADER as u64).map_err(io)?;
    let starts: Vec<usize> = starts
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
        .collect();
    let ends = block_ends(&starts, HEADER + 4 * blocks, len)?;
    // c-blosc refuses a buffer shorter than one block: the last, short block of a
    // buffer is never a run on its own.
    let mut per_run = (PIECE / block).max(1);
    while size % block != 0 && blocks > per_run && blocks % per_run == 1 {
        per_run += 1;
    }
    crate::array::in_pieces(out, per_run * block, |k, into| {
        let first = k * per_run;
        let run = first..first + into.len().div_ceil(block);
        decode_run(file, &header, (&starts[run.clone()], &ends[run]), into)
    })?;
    Ok(size)
}

/// Where each block's bytes end: at the next block's start in the file, or at its end
/// (c-blosc's threads may write blocks out of order); an error for offsets before the
/// blocks or past the end.
fn block_ends(starts: &[usize], first: usize, len: usize) -> Result<Vec<usize>, String> {
    let mut sorted = starts.to_vec();
    sorted.sort_unstable();
    if sorted.first().is_some_and(|&s| s < first) || sorted.last().is_some_and(|&s| s >= len) {
        return Err(format!(
            "blosc: a block offset lies outside the chunk's {len} bytes"
        ));
    }
    Ok(starts
        .iter()
        .map(|start| {
            let next = sorted.partition_point(|s| s <= start);
            sorted.get(next).copied().unwrap_or(len)
        })
        .collect())
}

/// Decodes the blocks at `starts..ends` of `file` into `out` (their decoded bytes), as
/// a blosc buffer of their own, on this thread.
fn decode_run(
    file: &File,
    header: &[u8; HEADER],
    blocks: (&[usize], &[usize]),
    out: &mut [u8],
) -> Result<(), String> {
    let (starts, ends) = blocks;
    let len =
        HEADER + 4 * starts.len() + starts.iter().zip(ends).map(|(s, e)| e - s).sum::<usize>();
    let mut buffer = SCRATCH.take(len);
    let result = assemble(file, header, blocks, out.len(), &mut buffer[..len])
        .and_then(|()| decompress(&buffer[..len], out, 1));
    SCRATCH.give(buffer);
    match result? {
        written if written == out.len() => Ok(()),
        written => Err(format!(
            "blosc: a run of blocks decoded to {written} bytes, not {}",
            out.len()
        )),
    }
}

/// Writes into `run` the blosc buffer of the blocks at `starts..ends` of `file`
/// (`size` bytes decoded): `header` with their sizes, their offsets, their bytes.
fn assemble(
    file: &File,
    header: &[u8; HEADER],
    (starts, ends): (&[usize], &[usize]),
    size: usize,
    run: &mut [u8],
) -> Result<(), String> {
    let word = |n: usize| {
        u32::try_from(n)
            .expect("within a blosc buffer")
            .to_le_bytes()
    };
    run[..HEADER].copy_from_slice(header);
    run[4..8].copy_from_slice(&word(size));
    let len = run.len();
    run[12..16].copy_from_slice(&word(len));
    let mut at = HEADER + 4 * starts.len();
    for (k, (&start, &end)) in starts.iter().zip(ends).enumerate() {
        run[HEADER + 4 * k..HEADER + 4 * k + 4].copy_from_slice(&word(at));
        file.read_exact_at(&mut run[at..at + end - start], start as u64)
            .map_err(|e| format!("blosc: {e}"))?;
        at += end - start;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `data` compressed by c-blosc itself.
    fn compress(data: &[u8], typesize: usize, shuffle: i32, cname: &str, block: usize) -> Vec<u8> {
        let mut out = vec![0; data.len() + HEADER];
        let cname = std::ffi::CString::new(cname).unwrap();
        // SAFETY: `out` holds `data.len()` plus the header, which c-blosc never exceeds.
        let written = unsafe {
            blosc_src::blosc_compress_ctx(
                5,
                shuffle,
                typesize,
                data.len(),
                data.as_ptr().cast(),
                out.as_mut_ptr().cast(),
                out.len(),
                cname.as_ptr(),
                block,
                2,
            )
        };
        out.truncate(usize::try_from(written).expect("compressed"));
        out
    }

    fn file_of(bytes: &[u8]) -> (tempfile::NamedTempFile, File) {
        let mut named = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut named, bytes).unwrap();
        let file = File::open(named.path()).unwrap();
        (named, file)
    }

    #[test]
    fn runs_of_blocks_decode_to_what_c_blosc_decodes_whole() {
        // Smooth float32s with noise, as stores hold: lengths that end in a short
        // block, a short block alone after a whole run, and exact runs.
        let values: Vec<f32> = (0..(40 << 20) / 4)
            .map(|i| 250.0 + (i as f32 * 1e-3).sin() * 30.0 + (i % 7) as f32 * 0.01)
            .collect();
        let all: &[u8] = bytemuck::cast_slice(&values);
        let cases = [
            (all.len() - 100, 4, 1, "lz4", 0),
            (PIECE + 4096 + 8, 4, 1, "lz4", 4096),
            (2 * PIECE, 4, 2, "zstd", 1 << 16),
            (PIECE * 3 / 2 + 12, 8, 0, "blosclz", 0),
            (PIECE + 100, 1, 1, "lz4", 0),
        ];
        for (len, typesize, shuffle, cname, block) in cases {
            let data = &all[..len];
            let encoded = compress(data, typesize, shuffle, cname, block);
            let (_named, file) = file_of(&encoded);
            let mut whole = vec![0; len];
            assert_eq!(decode(&encoded, &mut whole), Ok(len));
            let mut runs = vec![0; len];
            let case = format!("{len} bytes, {cname}, shuffle {shuffle}, block {block}");
            assert_eq!(
                decode_file(&file, encoded.len(), &mut runs),
                Ok(len),
                "{case}"
            );
            assert!(whole == data && runs == data, "{case}");
        }
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_what_is_wrong() {
        let data: Vec<u8> = (0..PIECE + 5000).map(|i| (i % 251) as u8).collect();
        let encoded = compress(&data, 1, 1, "lz4", 4096);
        let mut out = vec![0; data.len()];
        // Cut short: the header's length no longer matches the file's.
        let (_named, file) = file_of(&encoded[..encoded.len() - 10]);
        let error = decode_file(&file, encoded.len() - 10, &mut out).unwrap_err();
        assert!(error.contains("its header says"), "{error}");
        // A block offset past the end.
        let mut bad = encoded.clone();
        bad[HEADER..HEADER + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let (_named, file) = file_of(&bad);
        let error = decode_file(&file, bad.len(), &mut out).unwrap_err();
        assert!(error.contains("block offset"), "{error}");
        // A block's compressed length past the end: c-blosc's own refusal.
        let mut bad = encoded.clone();
        let at = u32::from_le_bytes(bad[HEADER..HEADER + 4].try_into().unwrap()) as usize;
        bad[at..at + 4].copy_from_slice(&i32::MAX.to_le_bytes());
        let (_named, file) = file_of(&bad);
        assert!(decode_file(&file, bad.len(), &mut out).is_err());
        // Not blosc at all.
        let (_named, file) = file_of(&[1, 2, 3]);
        let error = decode_file(&file, 3, &mut out).unwrap_err();
        assert!(error.contains("no blosc header"), "{error}");
    }
}
