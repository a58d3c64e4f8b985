@_exported import PublicDataModel
