//! Lazy equals eager for every chunking: generated fields (shapes down to one element,
//! NaN here and there or nowhere, daily times starting on any day of the year), read
//! from every kind of source (memory, Zarr v2 and v3 plain or packed as int16 with a
//! scale factor, chunked netCDF-4, a generated random field, COG stacks of STAC items
//! read over HTTP), cut into generated chunkings (one element per chunk, ragged edges,
//! chunks across the store's), and put through generated chains of operations with
//! rechunks along any dimension between them. Each chain runs on the lazy array and on
//! its values in memory; the two must agree: the same dims, shape, dtype and
//! coordinates, NaN in the same places, floats within 1e-9 relative (1e-5 for float32
//! results; the chunked reductions add in another order), everything else exactly. An
//! operation that fails eagerly must fail lazily too.
//!
//! `PROPTEST_CASES` sets how many chains each source kind runs (256 by default, about
//! two seconds in all), and `PROPTEST_RNG_SEED` which ones (a fixed seed by default, so
//! a failure in the test command happens again on the next run; any other number
//! explores other chains). A failing chain is shrunk to a small one and printed; the
//! ones found so far are kept as regular tests at the end of this file.

use crate::support::chains;
use crate::support::files::stack_fixtures;
use crate::support::servers::http_server;

use chains::{Field, Source, Step, check_chain, check_steps, step};
use proptest::prelude::*;
use proptest::test_runner::{RngSeed, TestRunner};
use rangeo::prelude::*;

fn config() -> ProptestConfig {
    let set = |name: &str| std::env::var_os(name).is_some();
    let mut config = ProptestConfig::default();
    if !set("PROPTEST_CASES") {
        config.cases = 256;
    }
    if !set("PROPTEST_RNG_SEED") {
        config.rng_seed = RngSeed::Fixed(29);
    }
    // Failures are kept as regular tests below, not in files beside the tests.
    config.failure_persistence = None;
    config
}

fn field() -> impl Strategy<Value = Field> {
    (
        1..40_usize,
        1..7_usize,
        1..6_usize,
        0..366_i64,
        any::<u64>(),
        0..4_usize,
    )
        .prop_map(|(days, lats, lons, start_day, seed, nan)| Field {
            days,
            lats,
            lons,
            start_day,
            seed,
            nan_every: [0, 29, 7, 2][nan],
        })
}

/// Chunk lengths along each of three dimensions (clipped to the field's sizes).
fn chunking() -> impl Strategy<Value = [usize; 3]> {
    [1..41_usize, 1..8_usize, 1..7_usize]
}

fn chain() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(step(), 1..5)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn in_memory_chunks(field in field(), chunks in chunking(), steps in chain()) {
        check_chain(&Source::Memory, &field, chunks, &steps);
    }

    #[test]
    fn zarr_stores(
        field in field(),
        chunks in chunking(),
        format in prop_oneof![Just(2_u8), Just(3_u8)],
        packed in any::<bool>(),
        steps in chain(),
    ) {
        check_chain(&Source::Zarr { format, packed }, &field, chunks, &steps);
    }

    #[test]
    fn netcdf_files(field in field(), chunks in chunking(), steps in chain()) {
        check_chain(&Source::Netcdf, &field, chunks, &steps);
    }

    #[test]
    fn generated_fields(field in field(), chunks in chunking(), steps in chain()) {
        check_chain(&Source::Random, &field, chunks, &steps);
    }
}

/// COG stacks: the STAC items and COGs of `tests/reference/make_stack.py`, served over
/// HTTP on 127.0.0.1, stacked into `(time, band, y, x)` at 30 or 60 m, nearest or
/// bilinear, by item or by solar day, in generated spatial chunks, then put through
/// generated chains (an eighth as many as the other sources: each stacks real COGs).
#[test]
fn cog_stacks() {
    let (_server, port) = http_server(&stack_fixtures());
    let items = ItemCollection::open(&format!("http://127.0.0.1:{port}/items/items.json")).unwrap();
    let mut config = config();
    config.cases = (config.cases / 8).max(1);
    let options = (
        prop_oneof![Just(30.0), Just(60.0)],
        any::<bool>(),
        any::<bool>(),
        16..100_usize,
    );
    TestRunner::new(config)
        .run(
            &(options, chain()),
            |((resolution, bilinear, solar_day, chunks), steps)| {
                let mut stack = Stack::new()
                    .resolution(resolution)
                    .chunks(chunks)
                    .assets(["red", "nir", "swir16"]);
                if bilinear {
                    stack = stack.resampling(Resampling::Bilinear);
                }
                if solar_day {
                    stack = stack.group_by(GroupBy::SolarDay);
                }
                let lazy = items.stack(stack).unwrap();
                let eager = lazy.compute().unwrap();
                let context = || {
                    format!(
                        "stack at {resolution} m, bilinear {bilinear}, solar day {solar_day}, \
                         chunks {chunks}, steps {steps:?}"
                    )
                };
                check_steps(lazy, eager, &steps, &context);
                Ok(())
            },
        )
        .unwrap();
}

/// The chain of the engine issue: a Zarr store cut 2 x 2 x 3 along time, lat and lon,
/// rechunked across its chunks along lat, then a monthly mean. The concatenated block
/// was not in standard layout, and grouped moments were read as if it were.
#[test]
fn a_grouped_mean_over_chunks_joined_across_the_store_chunks() {
    let field = Field {
        days: 8,
        lats: 4,
        lons: 3,
        start_day: 29,
        seed: 1,
        nan_every: 0,
    };
    for source in [
        Source::Memory,
        Source::Zarr {
            format: 2,
            packed: true,
        },
    ] {
        check_chain(
            &source,
            &field,
            [2, 2, 3],
            &[
                Step::Rechunk { dim: 1, size: 4 },
                Step::GroupReduce { key: 0, how: 0 },
            ],
        );
    }
}

fn one_by_one(days: usize) -> Field {
    Field {
        days,
        lats: 1,
        lons: 1,
        start_day: 0,
        seed: 0,
        nan_every: 0,
    }
}

#[test]
fn interpolating_an_emptied_dimension() {
    check_chain(
        &Source::Memory,
        &one_by_one(1),
        [1, 1, 1],
        &[
            Step::Slice {
                dim: 2,
                start: 0,
                stop: 0,
                step: 1,
            },
            Step::Interp {
                dim: 2,
                at: vec![0.0],
            },
        ],
    );
}

#[test]
fn counts_of_resampled_times_with_empty_bins() {
    check_chain(
        &Source::Random,
        &one_by_one(26),
        [1, 1, 1],
        &[
            Step::List {
                dim: 3,
                positions: vec![0, 22],
            },
            Step::Resample { freq: 0, how: 6 },
        ],
    );
}

#[test]
fn weighting_an_emptied_dimension() {
    let field = Field {
        lons: 3,
        ..one_by_one(1)
    };
    check_chain(
        &Source::Memory,
        &field,
        [1, 1, 1],
        &[
            Step::Slice {
                dim: 1,
                start: 1,
                stop: 0,
                step: 1,
            },
            Step::Arithmetic {
                how: 4,
                dim: 1,
                c: 0.0,
            },
        ],
    );
}

#[test]
fn shifting_a_monthly_anomaly() {
    let field = Field {
        days: 15,
        lats: 2,
        lons: 1,
        start_day: 147,
        seed: 0,
        nan_every: 0,
    };
    check_chain(
        &Source::Zarr {
            format: 2,
            packed: false,
        },
        &field,
        [6, 1, 1],
        &[
            Step::Where {
                threshold: 265.520_554_224_758_65,
                fill: Some(0.926_524_695_045_409),
            },
            Step::Anomaly { key: 0 },
            Step::Arithmetic {
                how: 5,
                dim: 0,
                c: 0.0,
            },
        ],
    );
}
