import ArgumentParser
import Foundation
import MediaAPI

/// Parses the command line, runs, and exits with the status `--help` documents: usage
/// mistakes exit 2 (argument-parser's own default would be 64).
@main
enum Entry {
    static func main() async {
        StandardDescriptors.openMissing()
        let command: MediashCommand
        do {
            command = try MediashCommand.parse()
        } catch {
            let message = MediashCommand.fullMessage(for: error)
            if MediashCommand.exitCode(for: error) == .success {
                standardOutput.write(message + "\n")
                standardOutput.flush()
                exit(0)
            }
            standardError.write(message + "\n")
            standardError.flush()
            exit(2)
        }
        let status = await Session.run(command)
        standardOutput.flush()
        standardError.flush()
        exit(status)
    }
}
