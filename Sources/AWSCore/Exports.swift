// Signing types (HTTPHeaders, AWSCredentials) are part of this module's API.
@_exported import AWSSigning
