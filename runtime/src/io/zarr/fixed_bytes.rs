//! numpy's fixed-width byte strings as a Zarr data type: `|S{n}` in Zarr v2 and
//! `null_terminated_bytes` in v3, as zarr-python writes them. zarrs has no such type;
//! registering it here lets zarrs open these arrays and run their codecs.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::io::decode::trim_nul;
use base64::Engine as _;
use base64::prelude::BASE64_STANDARD;
use zarrs::array::data_type::api::codec_traits::bytes::{
    BytesCodecEndiannessMissingError, BytesDataTypePlugin, BytesDataTypeTraits,
};
use zarrs::array::data_type::api::{
    DataType, DataTypeFillValueError, DataTypeFillValueMetadataError, DataTypePluginV2,
    DataTypePluginV3, DataTypeTraits, DataTypeTraitsV2, DataTypeTraitsV3, FillValue,
};
use zarrs::metadata::v2::DataTypeMetadataV2;
use zarrs::metadata::v3::MetadataV3;
use zarrs::metadata::{Configuration, DataTypeSize, Endianness, FillValueMetadata};
use zarrs::plugin::{
    ExtensionAliases, ExtensionAliasesConfig, ExtensionName, PluginCreateError, Regex, ZarrVersion,
    ZarrVersion2, ZarrVersion3,
};

/// Byte strings of `length` bytes each, padded with NUL bytes (which numpy strips when
/// it reads an element).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FixedBytesDataType {
    length: usize,
}

impl FixedBytesDataType {
    /// The width of each element in bytes.
    pub(crate) fn length(self) -> usize {
        self.length
    }

    fn new(length: usize) -> Result<Self, PluginCreateError> {
        if length == 0 {
            return Err(PluginCreateError::Other(
                "byte strings need a length of at least 1".into(),
            ));
        }
        Ok(Self { length })
    }
}

impl DataTypeTraitsV3 for FixedBytesDataType {
    fn create(metadata: &MetadataV3) -> Result<DataType, PluginCreateError> {
        let length = metadata
            .configuration()
            .and_then(|c| c.get("length_bytes"))
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| {
                PluginCreateError::Other("null_terminated_bytes needs `length_bytes`".into())
            })?;
        Ok(Arc::new(Self::new(length)?).into())
    }
}

impl DataTypeTraitsV2 for FixedBytesDataType {
    fn create(metadata: &DataTypeMetadataV2) -> Result<DataType, PluginCreateError> {
        let DataTypeMetadataV2::Simple(name) = metadata else {
            return Err(PluginCreateError::Other(
                "byte strings are not a structured type".into(),
            ));
        };
        let length = name
            .strip_prefix("|S")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| PluginCreateError::NameInvalid { name: name.clone() })?;
        Ok(Arc::new(Self::new(length)?).into())
    }
}

inventory::submit! { DataTypePluginV3::new::<FixedBytesDataType>() }
inventory::submit! { DataTypePluginV2::new::<FixedBytesDataType>() }

static ALIASES_V3: LazyLock<RwLock<ExtensionAliasesConfig>> = LazyLock::new(|| {
    RwLock::new(ExtensionAliasesConfig::new(
        "null_terminated_bytes",
        vec![],
        vec![],
    ))
});

static ALIASES_V2: LazyLock<RwLock<ExtensionAliasesConfig>> = LazyLock::new(|| {
    RwLock::new(ExtensionAliasesConfig::new(
        "|S",
        vec![],
        vec![Regex::new(r"^\|S\d+$").expect("a valid pattern")],
    ))
});

impl ExtensionAliases<ZarrVersion3> for FixedBytesDataType {
    fn aliases() -> RwLockReadGuard<'static, ExtensionAliasesConfig> {
        ALIASES_V3
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn aliases_mut() -> RwLockWriteGuard<'static, ExtensionAliasesConfig> {
        ALIASES_V3
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl ExtensionAliases<ZarrVersion2> for FixedBytesDataType {
    fn aliases() -> RwLockReadGuard<'static, ExtensionAliasesConfig> {
        ALIASES_V2
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn aliases_mut() -> RwLockWriteGuard<'static, ExtensionAliasesConfig> {
        ALIASES_V2
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl ExtensionName for FixedBytesDataType {
    fn name(&self, version: ZarrVersion) -> Option<Cow<'static, str>> {
        Some(match version {
            ZarrVersion::V3 => Cow::Borrowed("null_terminated_bytes"),
            ZarrVersion::V2 => Cow::Owned(format!("|S{}", self.length)),
        })
    }
}

impl DataTypeTraits for FixedBytesDataType {
    fn configuration(&self, version: ZarrVersion) -> Configuration {
        match version {
            ZarrVersion::V3 => Configuration::from(serde_json::Map::from_iter([(
                "length_bytes".to_owned(),
                serde_json::Value::from(self.length),
            )])),
            ZarrVersion::V2 => Configuration::default(),
        }
    }

    fn size(&self) -> DataTypeSize {
        DataTypeSize::Fixed(self.length)
    }

    /// A base64 string, as zarr-python writes it (or an array of byte values), padded
    /// with NUL bytes to the element width.
    fn fill_value(
        &self,
        metadata: &FillValueMetadata,
        _version: ZarrVersion,
    ) -> Result<FillValue, DataTypeFillValueMetadataError> {
        let mut bytes = if let Some(text) = metadata.as_str() {
            BASE64_STANDARD
                .decode(text)
                .map_err(|_| DataTypeFillValueMetadataError)?
        } else if let Some(values) = metadata.as_array() {
            values
                .iter()
                .map(|v| v.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect::<Option<Vec<u8>>>()
                .ok_or(DataTypeFillValueMetadataError)?
        } else {
            return Err(DataTypeFillValueMetadataError);
        };
        if bytes.len() > self.length {
            return Err(DataTypeFillValueMetadataError);
        }
        bytes.resize(self.length, 0);
        Ok(FillValue::from(bytes))
    }

    fn metadata_fill_value(
        &self,
        fill_value: &FillValue,
    ) -> Result<FillValueMetadata, DataTypeFillValueError> {
        let bytes = fill_value.as_ne_bytes();
        if bytes.len() != self.length {
            return Err(DataTypeFillValueError);
        }
        Ok(FillValueMetadata::from(
            BASE64_STANDARD.encode(trim_nul(bytes)),
        ))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Single bytes have no byte order: the `bytes` codec passes them through.
impl BytesDataTypeTraits for FixedBytesDataType {
    fn encode<'a>(
        &self,
        bytes: Cow<'a, [u8]>,
        _endianness: Option<Endianness>,
    ) -> Result<Cow<'a, [u8]>, BytesCodecEndiannessMissingError> {
        Ok(bytes)
    }

    fn decode<'a>(
        &self,
        bytes: Cow<'a, [u8]>,
        _endianness: Option<Endianness>,
    ) -> Result<Cow<'a, [u8]>, BytesCodecEndiannessMissingError> {
        Ok(bytes)
    }
}

inventory::submit! {
    BytesDataTypePlugin {
        type_id: std::any::TypeId::of::<FixedBytesDataType>(),
        caster: |any| any
            .downcast_ref::<FixedBytesDataType>()
            .map(|t| t as &dyn BytesDataTypeTraits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_values_are_base64_padded_to_the_width() {
        let t = FixedBytesDataType::new(3).unwrap();
        let fill = t
            .fill_value(&FillValueMetadata::from("YWI="), ZarrVersion::V2)
            .unwrap();
        assert_eq!(fill.as_ne_bytes(), b"ab\0");
        let back = t.metadata_fill_value(&fill).unwrap();
        assert_eq!(back.as_str(), Some("YWI="));
        // Wider than the elements, or not base64: refused.
        assert!(
            t.fill_value(&FillValueMetadata::from("YWJjZA=="), ZarrVersion::V2)
                .is_err()
        );
        assert!(
            t.fill_value(&FillValueMetadata::from(0), ZarrVersion::V2)
                .is_err()
        );
        assert!(FixedBytesDataType::new(0).is_err());
    }
}
