import Foundation

/// The MIME type an upload gets from its file name's extension when none is given.
public enum MIMETypes {
    public static let fallback = "application/octet-stream"

    static let byExtension: [String: String] = [
        "wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg", "oga": "audio/ogg", "opus": "audio/opus",
        "flac": "audio/flac", "m4a": "audio/mp4", "aac": "audio/aac", "webm": "audio/webm", "amr": "audio/amr",
        "mp4": "video/mp4", "json": "application/json", "txt": "text/plain", "csv": "text/csv",
        "html": "text/html", "xml": "application/xml", "pdf": "application/pdf", "zip": "application/zip",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "svg": "image/svg+xml",
        "webp": "image/webp",
    ]

    public static func guess(fileName: String) -> String {
        let ext = (fileName as NSString).pathExtension.lowercased()
        return byExtension[ext] ?? fallback
    }
}
