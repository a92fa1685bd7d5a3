//! Search datetimes written as people write them (`2019`, `2019-06`, `2019-01-01/2019-06-04`,
//! `../2020-01-01T12:00:00Z`), expanded to the RFC 3339 intervals STAC APIs take, the way
//! pystac-client expands them: a date stands for all of its year, month or day.

use crate::Error;

/// `value` as a STAC API `datetime`: an instant, or an interval with open ends as `..`.
pub(crate) fn interval(value: &str) -> Result<String, Error> {
    let bad = |why: &str| Error::Stac(format!("datetime `{value}`: {why}"));
    let parts: Vec<&str> = value.split('/').collect();
    match parts.as_slice() {
        [one] => {
            let (start, end) = component(one).map_err(|why| bad(&why))?;
            Ok(end.map_or_else(|| start.clone(), |end| format!("{start}/{end}")))
        }
        [first, second] => {
            let (start, _) = component(first).map_err(|why| bad(&why))?;
            let (second_start, second_end) = component(second).map_err(|why| bad(&why))?;
            if start == ".." && second_start == ".." {
                return Err(bad("an interval needs at least one end"));
            }
            Ok(format!("{start}/{}", second_end.unwrap_or(second_start)))
        }
        _ => Err(bad("expected an instant or start/end")),
    }
}

/// One side of an interval: an exact instant (`None` end), or the first and last
/// second of a year, month or day.
fn component(text: &str) -> Result<(String, Option<String>), String> {
    let text = text.trim();
    if text.is_empty() || text == ".." {
        return Ok(("..".to_owned(), None));
    }
    let (date, time) = match text.find(['T', 't']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let fields: Vec<&str> = date.split('-').collect();
    let number = |s: &str, digits: usize, what: &str| {
        if s.len() == digits && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(s.parse::<u32>().expect("digits"))
        } else {
            Err(format!("`{s}` is not a {digits}-digit {what}"))
        }
    };
    let year = number(fields[0], 4, "year")?;
    let month = fields.get(1).map(|m| number(m, 2, "month")).transpose()?;
    let day = fields.get(2).map(|d| number(d, 2, "day")).transpose()?;
    if fields.len() > 3 {
        return Err("expected YYYY, YYYY-MM or YYYY-MM-DD before the time".to_owned());
    }
    if let Some(m) = month
        && !(1..=12).contains(&m)
    {
        return Err(format!("there is no month {m}"));
    }
    if let (Some(m), Some(d)) = (month, day)
        && !(1..=days_in_month(year, m)).contains(&d)
    {
        return Err(format!("{year}-{m:02} has no day {d}"));
    }
    if let Some(time) = time {
        if day.is_none() {
            return Err("a time needs a full date before it".to_owned());
        }
        check_time(time)?;
        let zoned = time.ends_with(['Z', 'z']) || time.contains(['+', '-']);
        let instant = if zoned {
            text.to_owned()
        } else {
            format!("{text}Z")
        };
        return Ok((instant, None));
    }
    let (last_month, last_day) = match (month, day) {
        (Some(m), Some(d)) => (m, d),
        (Some(m), None) => (m, days_in_month(year, m)),
        _ => (12, 31),
    };
    let start = format!(
        "{year:04}-{:02}-{:02}T00:00:00Z",
        month.unwrap_or(1),
        day.unwrap_or(1)
    );
    let end = format!("{year:04}-{last_month:02}-{last_day:02}T23:59:59Z");
    Ok((start, Some(end)))
}

/// `HH:MM:SS[.fff][Z|±HH:MM]`.
fn check_time(time: &str) -> Result<(), String> {
    let clock = time
        .trim_end_matches(['Z', 'z'])
        .split(['+', '-'])
        .next()
        .unwrap_or("");
    let hms: Vec<&str> = clock.split(':').collect();
    let valid = hms.len() == 3
        && hms[..2]
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
        && hms[2]
            .split('.')
            .next()
            .is_some_and(|s| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()));
    if valid {
        Ok(())
    } else {
        Err(format!("`{time}` is not a time of the form HH:MM:SS"))
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::interval;

    #[test]
    fn dates_expand_to_whole_periods_as_pystac_client_does() {
        // Expected strings from pystac_client.ItemSearch._format_datetime (0.9.1).
        let cases = [
            ("2019", "2019-01-01T00:00:00Z/2019-12-31T23:59:59Z"),
            ("2020-02", "2020-02-01T00:00:00Z/2020-02-29T23:59:59Z"),
            ("2019-06-04", "2019-06-04T00:00:00Z/2019-06-04T23:59:59Z"),
            (
                "2019-01-01/2019-06-04",
                "2019-01-01T00:00:00Z/2019-06-04T23:59:59Z",
            ),
            ("2019-01-01T10:00:00", "2019-01-01T10:00:00Z"),
            ("2019-01-01T10:00:00+02:00", "2019-01-01T10:00:00+02:00"),
            ("../2019-06", "../2019-06-30T23:59:59Z"),
            ("2019-06/..", "2019-06-01T00:00:00Z/.."),
            (
                "2019-01-01T00:00:00Z/2019-02-01T00:00:00.5Z",
                "2019-01-01T00:00:00Z/2019-02-01T00:00:00.5Z",
            ),
        ];
        for (given, expected) in cases {
            assert_eq!(interval(given).unwrap(), expected, "{given}");
        }
    }

    #[test]
    fn bad_datetimes_are_named() {
        for (given, why) in [
            ("2019-13", "there is no month 13"),
            ("2019-02-30", "2019-02 has no day 30"),
            ("19-01-01", "`19` is not a 4-digit year"),
            ("2019-01-01T25", "is not a time of the form HH:MM:SS"),
            ("../..", "an interval needs at least one end"),
            ("2019/2020/2021", "expected an instant or start/end"),
        ] {
            let err = interval(given).unwrap_err().to_string();
            assert!(err.starts_with(&format!("datetime `{given}`: ")), "{err}");
            assert!(err.contains(why), "{err}");
        }
    }
}
