@_exported import PublicDataAudit
@_exported import PublicDataModel
@_exported import PublicDataPolicy
@_exported import PublicDataPricing
@_exported import PublicDataWorkflow
