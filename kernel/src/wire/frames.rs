//! Splitting ZeroMQ multipart frames into Jupyter messages and back.

use bytes::Bytes;
use jupyter_protocol::{Header, JupyterMessage, JupyterMessageContent, UnknownMessage};
use serde_json::Value;

use super::Signer;

/// The frame that separates routing identities from the signed message.
pub const DELIMITER: &[u8] = b"<IDS|MSG>";

/// The protocol version this kernel speaks and stamps on every header.
pub const PROTOCOL_VERSION: &str = "5.5";

/// Why a multipart message could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The connection file names a signature scheme the kernel does not implement.
    #[error("unsupported signature scheme `{0}` (expected hmac-sha256 or hmac-sha512)")]
    UnsupportedScheme(String),
    /// No `<IDS|MSG>` frame was found.
    #[error("no <IDS|MSG> delimiter among {0} frames")]
    MissingDelimiter(usize),
    /// Fewer than the five frames that must follow the delimiter.
    #[error(
        "expected signature, header, parent_header, metadata and content after the delimiter, got {0} frames"
    )]
    TooFewFrames(usize),
    /// The HMAC did not match: the message was not sent by a holder of the key.
    #[error("invalid HMAC signature")]
    BadSignature,
    /// A frame was not the JSON it should be.
    #[error("{frame} is not valid JSON: {source}")]
    InvalidJson {
        /// Which frame: `header`, `parent_header`, `metadata` or `content`.
        frame: &'static str,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// The content does not fit the schema of its message type.
    #[error("content of `{msg_type}` does not match the message schema: {source}")]
    InvalidContent {
        /// The header's `msg_type`.
        msg_type: String,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// A ZeroMQ call failed.
    #[error("zmq: {0}")]
    Zmq(#[from] zmq::Error),
}

/// Decodes a multipart message, verifying its signature.
pub fn decode(frames: Vec<Vec<u8>>, signer: &Signer) -> Result<JupyterMessage, WireError> {
    let count = frames.len();
    let split = frames
        .iter()
        .position(|f| f == DELIMITER)
        .ok_or(WireError::MissingDelimiter(count))?;
    let mut frames = frames.into_iter();
    let identities: Vec<Bytes> = frames.by_ref().take(split).map(Bytes::from).collect();
    let rest: Vec<Vec<u8>> = frames.skip(1).collect();
    if rest.len() < 5 {
        return Err(WireError::TooFewFrames(rest.len()));
    }
    let parts = [&rest[1][..], &rest[2][..], &rest[3][..], &rest[4][..]];
    signer.verify(&rest[0], &parts)?;

    let json = |frame: &'static str, bytes: &[u8]| {
        serde_json::from_slice::<Value>(bytes)
            .map_err(|source| WireError::InvalidJson { frame, source })
    };
    let header: Header = serde_json::from_value(json("header", &rest[1])?).map_err(|source| {
        WireError::InvalidJson {
            frame: "header",
            source,
        }
    })?;
    let parent_header = match json("parent_header", &rest[2])? {
        Value::Object(map) if map.is_empty() => None,
        Value::Null => None,
        value => Some(
            serde_json::from_value(value).map_err(|source| WireError::InvalidJson {
                frame: "parent_header",
                source,
            })?,
        ),
    };
    let metadata = json("metadata", &rest[3])?;
    let content = json("content", &rest[4])?;
    let content = if header.msg_type == "history_request" {
        // jupyter-protocol's typed history request requires fields that clients omit
        // (`n`, `session`, ...); the session reads it leniently instead.
        JupyterMessageContent::UnknownMessage(UnknownMessage {
            msg_type: header.msg_type.clone(),
            content,
        })
    } else {
        JupyterMessageContent::from_type_and_content(&header.msg_type, content).map_err(
            |source| WireError::InvalidContent {
                msg_type: header.msg_type.clone(),
                source,
            },
        )?
    };
    let buffers = rest.into_iter().skip(5).map(Bytes::from).collect();
    Ok(JupyterMessage {
        zmq_identities: identities,
        header,
        parent_header,
        metadata,
        content,
        buffers,
        channel: None,
    })
}

/// Encodes a message into frames, signing it.
#[must_use]
pub fn encode(message: &JupyterMessage, signer: &Signer) -> Vec<Vec<u8>> {
    let header = serde_json::to_vec(&message.header).expect("headers serialise");
    let parent = match &message.parent_header {
        Some(parent) => serde_json::to_vec(parent).expect("headers serialise"),
        None => b"{}".to_vec(),
    };
    let metadata = serde_json::to_vec(&message.metadata).expect("JSON values serialise");
    let content = serde_json::to_vec(&message.content).expect("message contents serialise");
    let signature = signer.sign(&[&header, &parent, &metadata, &content]);

    let mut frames: Vec<Vec<u8>> = message.zmq_identities.iter().map(|i| i.to_vec()).collect();
    frames.push(DELIMITER.to_vec());
    frames.push(signature.into_bytes());
    frames.extend([header, parent, metadata, content]);
    frames.extend(message.buffers.iter().map(|b| b.to_vec()));
    frames
}

/// Builds a message from this kernel: a reply or output when `parent` is given (routed
/// back to the parent's sender, in its session), a free-standing one otherwise.
#[must_use]
pub fn message(
    content: impl Into<JupyterMessageContent>,
    parent: Option<&JupyterMessage>,
    session: &str,
) -> JupyterMessage {
    let mut message = JupyterMessage::new(content, parent);
    PROTOCOL_VERSION.clone_into(&mut message.header.version);
    "rangeo".clone_into(&mut message.header.username);
    session.clone_into(&mut message.header.session);
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::{ExecuteRequest, KernelInfoRequest};

    fn request_frames(signer: &Signer, content: &[u8], msg_type: &str) -> Vec<Vec<u8>> {
        let header = format!(
            r#"{{"msg_id":"m1","username":"u","session":"s","date":"2026-01-01T00:00:00Z","msg_type":"{msg_type}","version":"5.5"}}"#
        )
        .into_bytes();
        let sig = signer.sign(&[&header, b"{}", b"{}", content]);
        vec![
            b"client-id".to_vec(),
            DELIMITER.to_vec(),
            sig.into_bytes(),
            header,
            b"{}".to_vec(),
            b"{}".to_vec(),
            content.to_vec(),
        ]
    }

    #[test]
    fn round_trip_keeps_identities_and_content() {
        let signer = Signer::new("hmac-sha256", "k").unwrap();
        let frames = request_frames(&signer, br#"{"code":"1+1","silent":false,"store_history":true,"user_expressions":{},"allow_stdin":false,"stop_on_error":true}"#, "execute_request");
        let msg = decode(frames, &signer).unwrap();
        assert_eq!(msg.zmq_identities, vec![Bytes::from_static(b"client-id")]);
        let JupyterMessageContent::ExecuteRequest(ExecuteRequest { code, .. }) = &msg.content
        else {
            panic!("not an execute_request: {msg:?}");
        };
        assert_eq!(code, "1+1");

        let reply = message(KernelInfoRequest {}, Some(&msg), "kernel-session");
        let out = encode(&reply, &signer);
        assert_eq!(out[0], b"client-id");
        assert_eq!(out[1], DELIMITER);
        let back = decode(out, &signer).unwrap();
        assert_eq!(back.header.version, PROTOCOL_VERSION);
        assert_eq!(back.parent_header.unwrap().msg_id, "m1");
    }

    #[test]
    fn wrong_signature_is_rejected() {
        let good = Signer::new("hmac-sha256", "k").unwrap();
        let other = Signer::new("hmac-sha256", "other").unwrap();
        let frames = request_frames(&other, b"{}", "kernel_info_request");
        assert!(matches!(
            decode(frames, &good),
            Err(WireError::BadSignature)
        ));
    }

    #[test]
    fn malformed_json_names_the_frame() {
        let signer = Signer::new("hmac-sha256", "").unwrap();
        let frames = request_frames(&signer, b"{not json", "kernel_info_request");
        let err = decode(frames, &signer).unwrap_err();
        assert!(
            matches!(
                err,
                WireError::InvalidJson {
                    frame: "content",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn missing_delimiter_and_short_messages_are_errors() {
        let signer = Signer::new("hmac-sha256", "").unwrap();
        assert!(matches!(
            decode(vec![b"x".to_vec()], &signer),
            Err(WireError::MissingDelimiter(1))
        ));
        let frames = vec![DELIMITER.to_vec(), Vec::new(), b"{}".to_vec()];
        assert!(matches!(
            decode(frames, &signer),
            Err(WireError::TooFewFrames(2))
        ));
    }

    #[test]
    fn unknown_message_types_decode_as_unknown() {
        let signer = Signer::new("hmac-sha256", "").unwrap();
        let frames = request_frames(&signer, b"{}", "frobnicate_request");
        let msg = decode(frames, &signer).unwrap();
        assert_eq!(msg.message_type(), "frobnicate_request");
        assert!(matches!(
            msg.content,
            JupyterMessageContent::UnknownMessage(_)
        ));
    }
}
