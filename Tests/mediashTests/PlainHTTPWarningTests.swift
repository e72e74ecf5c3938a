import Foundation
import Testing
@testable import mediash

/// Which endpoints get the plain-http credentials warning: the decision itself.
@Suite struct PlainHTTPWarningTests {
    private func warning(_ endpoint: String) -> String? {
        guard let url = URL(string: endpoint) else { return "not a URL" }
        return BackendChoice.endpoint(url, .apiKey(key: "k", secret: "s")).plainHTTPWarning
    }

    @Test(arguments: ["http://10.0.0.1/v3/media", "http://api.example.com/v3/media", "HTTP://Media.Example.com:8080/",
                      "http://[fd00::1]/v3/media", "http://128.0.0.1/", "http://localhost.example.com/", "http://[::2]/"])
    func plainHTTPToAnotherHostIsWarnedAbout(endpoint: String) {
        #expect(warning(endpoint)?.contains("plain http") == true, "\(endpoint)")
    }

    @Test(arguments: ["https://10.0.0.1/v3/media", "https://api.nexmo.com/v3/media", "http://127.0.0.1:8080/v3/media",
                      "http://127.255.0.9/", "http://localhost:9/", "http://LOCALHOST./", "http://[::1]:9/v3/media",
                      "http://[::ffff:127.0.0.1]/", "http://media.localhost/"])
    func httpsAndLoopbackAreNot(endpoint: String) {
        #expect(warning(endpoint) == nil, "\(endpoint)")
    }

    @Test func localStoresAreNot() {
        #expect(BackendChoice.demo.plainHTTPWarning == nil)
        #expect(BackendChoice.store(URL(fileURLWithPath: "/tmp/x")).plainHTTPWarning == nil)
    }
}
