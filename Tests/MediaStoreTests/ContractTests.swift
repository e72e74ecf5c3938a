import Foundation
import MediaServiceContract
import MediaStore
import Testing

/// The shared MediaService contract, each check on a fresh store in its own folder.
@Test("MediaStore meets the MediaService contract", arguments: MediaServiceContract.checks)
func mediaStoreContract(_ check: ContractCheck) async throws {
    let folder = try TemporaryFolder()
    try await check.run { try MediaStore(directory: folder.store).service(account: "local") }
}

@Test("the contract's MD5 matches RFC 1321's test vectors")
func contractMD5() {
    #expect(MD5.hex(of: Data()) == "d41d8cd98f00b204e9800998ecf8427e")
    #expect(MD5.hex(of: Data("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
    #expect(MD5.hex(of: Data("12345678901234567890123456789012345678901234567890123456789012345678901234567890".utf8))
        == "57edf4a22be3c955ac49da2e2107b67a")
}
