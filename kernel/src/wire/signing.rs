//! HMAC signatures over the four JSON frames of a message.

use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha512};

use super::WireError;

/// Signs and verifies messages with the key and scheme of the connection file.
///
/// An empty key disables signing: signatures are sent empty and not checked, as the
/// protocol specifies.
#[derive(Clone)]
pub struct Signer {
    key: Option<Key>,
}

#[derive(Clone)]
enum Key {
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

impl Signer {
    /// Creates a signer for `scheme` (`hmac-sha256` or `hmac-sha512`) and `key`.
    pub fn new(scheme: &str, key: &str) -> Result<Self, WireError> {
        if key.is_empty() {
            return Ok(Self { key: None });
        }
        let bytes = key.as_bytes();
        let key = match scheme {
            "hmac-sha256" => Key::Sha256(Hmac::new_from_slice(bytes).expect("HMAC takes any key")),
            "hmac-sha512" => Key::Sha512(Hmac::new_from_slice(bytes).expect("HMAC takes any key")),
            other => return Err(WireError::UnsupportedScheme(other.to_owned())),
        };
        Ok(Self { key: Some(key) })
    }

    /// The hex signature of `parts` (header, parent header, metadata, content).
    ///
    /// ```
    /// use rangeo_kernel::wire::Signer;
    /// let signer = Signer::new("hmac-sha256", "key").unwrap();
    /// let signature = signer.sign(&[b"{}", b"{}", b"{}", b"{}"]);
    /// assert_eq!(signature.len(), 64);
    /// assert!(signer.verify(signature.as_bytes(), &[b"{}", b"{}", b"{}", b"{}"]).is_ok());
    /// ```
    #[must_use]
    pub fn sign(&self, parts: &[&[u8]]) -> String {
        match &self.key {
            None => String::new(),
            Some(Key::Sha256(mac)) => hex::encode(finish(mac.clone(), parts)),
            Some(Key::Sha512(mac)) => hex::encode(finish(mac.clone(), parts)),
        }
    }

    /// Checks `signature` against `parts` in constant time.
    pub fn verify(&self, signature: &[u8], parts: &[&[u8]]) -> Result<(), WireError> {
        let Some(key) = &self.key else {
            return Ok(());
        };
        let expected = hex::decode(signature).map_err(|_| WireError::BadSignature)?;
        let ok = match key {
            Key::Sha256(mac) => verify(mac.clone(), parts, &expected),
            Key::Sha512(mac) => verify(mac.clone(), parts, &expected),
        };
        if ok {
            Ok(())
        } else {
            Err(WireError::BadSignature)
        }
    }
}

fn finish<M: Mac>(mut mac: M, parts: &[&[u8]]) -> Vec<u8> {
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

fn verify<M: Mac>(mut mac: M, parts: &[&[u8]], expected: &[u8]) -> bool {
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_a_known_digest() {
        // python3 -c "import hmac,hashlib; print(hmac.new(b'key', b'abc', hashlib.sha256).hexdigest())"
        let signer = Signer::new("hmac-sha256", "key").unwrap();
        assert_eq!(
            signer.sign(&[b"a", b"bc"]),
            "9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab"
        );
    }

    #[test]
    fn verify_accepts_own_signature_and_rejects_tampering() {
        let signer = Signer::new("hmac-sha512", "secret").unwrap();
        let sig = signer.sign(&[b"{}", b"{}"]);
        assert!(signer.verify(sig.as_bytes(), &[b"{}", b"{}"]).is_ok());
        assert!(signer.verify(sig.as_bytes(), &[b"{}", b"{ }"]).is_err());
        assert!(signer.verify(b"not hex", &[b"{}"]).is_err());
    }

    #[test]
    fn empty_key_signs_nothing_and_accepts_anything() {
        let signer = Signer::new("hmac-sha256", "").unwrap();
        assert_eq!(signer.sign(&[b"x"]), "");
        assert!(signer.verify(b"whatever", &[b"x"]).is_ok());
    }

    #[test]
    fn unknown_scheme_is_an_error() {
        assert!(matches!(
            Signer::new("hmac-md5", "k"),
            Err(WireError::UnsupportedScheme(s)) if s == "hmac-md5"
        ));
    }
}
