import Foundation

/// A mono 16-bit PCM WAV recording of a tone, written as a real RIFF/WAVE file so any player
/// (and `file`, `sox`, `ffprobe`) reads the demo store's items.
struct WAVFile {
    var sampleRate = 8000
    /// Whole seconds, so a tone of whole hertz repeats exactly each second.
    var seconds: Int
    var frequency: Int
    /// Beeps (half a second on, half off) instead of a steady tone.
    var beeping = false

    var byteCount: Int { 44 + seconds * sampleRate * 2 }

    func write(to url: URL) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: header())
        let second = oneSecond()
        for _ in 0..<seconds { try handle.write(contentsOf: second) }
    }

    private func header() -> Data {
        var data = Data()
        func text(_ s: String) { data.append(contentsOf: Array(s.utf8)) }
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { data.append(contentsOf: $0) } }
        let dataBytes = seconds * sampleRate * 2
        text("RIFF"); u32(36 + dataBytes); text("WAVE")
        text("fmt "); u32(16); u16(1); u16(1); u32(sampleRate); u32(sampleRate * 2); u16(2); u16(16)
        text("data"); u32(dataBytes)
        return data
    }

    private func oneSecond() -> Data {
        var samples = [Int16](repeating: 0, count: sampleRate)
        let fade = sampleRate / 100
        for n in 0..<sampleRate {
            let sounding = !beeping || n < sampleRate / 2
            guard sounding else { continue }
            let t = Double(n) / Double(sampleRate)
            let edge = beeping ? min(n, sampleRate / 2 - n) : fade
            let envelope = min(1.0, Double(edge) / Double(fade))
            let value = 0.4 * sin(2 * .pi * Double(frequency) * t) + 0.1 * sin(4 * .pi * Double(frequency) * t)
            samples[n] = Int16(value * envelope * Double(Int16.max))
        }
        return samples.map(\.littleEndian).withUnsafeBytes { Data($0) }
    }
}
