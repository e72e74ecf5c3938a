import Foundation
import MediaAPI

/// The sample recordings of `mediash --demo`: calls, voicemails, conferences, prompts and
/// hold music of different lengths and tones, spread over the last 30 days, some public.
/// Deterministic, so every demo session (and every test) sees the same shape of data.
struct DemoRecording {
    var fileName: String
    var created: Date
    var wav: WAVFile
    var info: MediaUpdate

    static func all(count: Int = 50, now: Date) -> [DemoRecording] {
        var random = SplitMix64(seed: 20_261_101)
        let agents = ["amara", "bo", "chen", "dana", "emeka", "farah"]
        var recordings: [DemoRecording] = []
        for index in 0..<count {
            // Spread evenly over 30 days, newest first, with a few hours' jitter.
            let age = Double(index) / Double(count) * 29.5 * 86_400 + Double(random.next(upTo: 5 * 3600))
            let created = now.addingTimeInterval(-age - 600)
            let number = 1000 + index * 7
            let agent = agents[random.next(upTo: agents.count)]
            let recording: DemoRecording
            switch index % 5 {
            case 0:
                let seconds = 70 + random.next(upTo: 90)
                recording = DemoRecording(
                    fileName: "conference-\(number).wav", created: created,
                    wav: WAVFile(seconds: seconds, frequency: 220 + random.next(upTo: 8) * 20),
                    info: MediaUpdate(title: "Weekly conference \(number)", description: "Ops sync, recorded bridge",
                                      metadataPrimary: "kind=conference", metadataSecondary: "host=\(agent)"))
            case 1:
                let seconds = 8 + random.next(upTo: 50)
                recording = DemoRecording(
                    fileName: "call-\(number).wav", created: created,
                    wav: WAVFile(seconds: seconds, frequency: 300 + random.next(upTo: 10) * 30),
                    info: MediaUpdate(title: "Support call #\(number)", description: "Inbound support call",
                                      metadataPrimary: "kind=call", metadataSecondary: "agent=\(agent)"))
            case 2:
                let seconds = 4 + random.next(upTo: 30)
                recording = DemoRecording(
                    fileName: "voicemail-\(number).wav", created: created,
                    wav: WAVFile(seconds: seconds, frequency: 440 + random.next(upTo: 6) * 55, beeping: true),
                    info: MediaUpdate(title: "Voicemail \(number)", description: "Left after hours",
                                      metadataPrimary: "kind=voicemail", metadataSecondary: "mailbox=\(agent)"))
            case 3:
                let seconds = 2 + random.next(upTo: 10)
                recording = DemoRecording(
                    fileName: "ivr-prompt-\(number).wav", created: created,
                    wav: WAVFile(seconds: seconds, frequency: 660 + random.next(upTo: 5) * 40),
                    info: MediaUpdate(title: "IVR prompt \(number)", description: "Menu prompt for the phone tree",
                                      metadataPrimary: "kind=prompt", metadataSecondary: "language=en", isPublic: true))
            default:
                let seconds = 20 + random.next(upTo: 100)
                recording = DemoRecording(
                    fileName: "hold-music-\(number).wav", created: created,
                    wav: WAVFile(seconds: seconds, frequency: 262 + random.next(upTo: 12) * 22, beeping: index % 2 == 0),
                    info: MediaUpdate(title: "Hold music \(number)", description: "Played while callers wait",
                                      metadataPrimary: "kind=music", metadataSecondary: "loop=true",
                                      isPublic: index % 3 == 0))
            }
            var withType = recording
            withType.info.mimeType = "audio/wav"
            recordings.append(withType)
        }
        return recordings
    }
}
