import Foundation
import MediaAPI

/// The behaviour any MediaService must have; each binding's tests run every check on a fresh, empty service.
public enum MediaServiceContract {
    public static let checks: [ContractCheck] = ListingChecks.all + ItemChecks.all + DownloadChecks.all + ErrorChecks.all
}
