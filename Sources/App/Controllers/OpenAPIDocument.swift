import Foundation
import PredictionCore

/// The OpenAPI 3.1 description of every route, served at `GET /openapi.json`. Written by hand (operations in
/// `OpenAPIDocument+Operations.swift`, schemas in `+Schemas.swift`); a test checks that it lists exactly the routes
/// the router registers, and the schemathesis stage of `make test` that the server keeps to it.
///
/// Parameter and body schemas state every rule a JSON Schema can (ranges, patterns, enums), so a request that fits
/// the schema is one the server accepts. The error answers every route can give are added by `json()` from what the
/// operation is: 400 for anything with parameters or a body, 401 and 429 where a key is checked, 403 where a role is
/// needed, 404 for a path naming a resource, 413 and 422 for bodies, 503 (storage unavailable) wherever the store
/// is read.
enum OpenAPIDocument {
    /// One documented operation.
    struct Operation {
        let method: String
        let path: String
        let summary: String
        let tag: String
        /// Minimum role, `nil` for open routes (reads: `viewer` when `auth.read_requires_key`).
        let role: String?
        var parameters: [[String: Any]] = []
        var body: (contentType: String, schema: [String: Any])? = nil
        /// Whether a request must have the body (`false`: it may be empty).
        var bodyRequired = true
        var success: (status: String, schema: [String: Any]?) = ("200", nil)
        /// Statuses beyond those `json()` adds; a 2xx here is a second success with the success body.
        var errors: [String] = []
        /// Whether the route reads the store (503 when it is unavailable). Defaults to whether a key is checked.
        var usesStore: Bool? = nil
    }

    // MARK: Schema helpers

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ name: String) -> [String: Any] { ["type": "array", "items": ref(name)] }

    static func pathParam(_ name: String, _ description: String, schema: [String: Any]) -> [String: Any] {
        ["name": name, "in": "path", "required": true, "description": description, "schema": schema]
    }

    static func queryParam(_ name: String, _ description: String, schema: [String: Any], required: Bool = false) -> [String: Any] {
        ["name": name, "in": "query", "required": required, "description": description, "schema": schema]
    }

    static func integer(_ range: ClosedRange<Int>) -> [String: Any] { ["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound] }
    static func oneOf(_ values: [String]) -> [String: Any] { ["type": "string", "enum": values] }
    /// `schema`, or `null` (the server takes `null` as "absent").
    static func nullable(_ schema: [String: Any]) -> [String: Any] {
        var schema = schema
        if let type = schema["type"] as? String { schema["type"] = [type, "null"] }
        return schema
    }

    /// A ticker symbol as the server accepts it (upper-cased): 1-20 of A-Z 0-9 . - ^ = _, starting with a letter, digit or ^.
    nonisolated(unsafe) static let tickerSchema: [String: Any] = ["type": "string", "pattern": "^[A-Za-z0-9^][A-Za-z0-9.^=_-]{0,19}$"]
    /// An exchange code: 1-16 of A-Z 0-9 . - _.
    nonisolated(unsafe) static let exchangeSchema: [String: Any] = ["type": "string", "pattern": "^[A-Za-z0-9._-]{1,16}$"]
    /// A session date (calendar-valid `YYYY-MM-DD`).
    nonisolated(unsafe) static let dateSchema: [String: Any] = [
        "type": "string", "format": "date", "pattern": "^(1[89][0-9]{2}|20[0-9]{2}|21[0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
    ]
    /// A task id (a UUID).
    nonisolated(unsafe) static let taskIDSchema: [String: Any] = [
        "type": "string", "format": "uuid", "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    ]

    nonisolated(unsafe) static let tickerParam = pathParam("ticker", "Ticker symbol, e.g. GOOG or ^GSPC (percent-encode ^ as %5E)", schema: tickerSchema)
    nonisolated(unsafe) static let idParam = pathParam("id", "Numeric id", schema: integer(1...Int(Int64.max)))
    nonisolated(unsafe) static let taskIDParam = pathParam("id", "Task id (a UUID)", schema: taskIDSchema)
    nonisolated(unsafe) static let idCursorParam = queryParam("cursor", "next_cursor of the previous page", schema: integer(1...Int(Int64.max)))
    nonisolated(unsafe) static let tickerFilterParam = queryParam("ticker", "Only this ticker", schema: tickerSchema)

    static func limitParam(max: Int, default defaultValue: Int) -> [String: Any] {
        queryParam("limit", "Page size, 1..\(max) (default \(defaultValue))", schema: integer(1...max))
    }

    static func exchangeParam(required: Bool, _ description: String = "Exchange code, e.g. NASDAQ") -> [String: Any] {
        queryParam("exchange", description, schema: exchangeSchema, required: required)
    }

    // MARK: Document

    /// The document as JSON.
    static func json() throws -> Data {
        var paths: [String: [String: Any]] = [:]
        for op in self.operations {
            var responses: [String: Any] = [:]
            var success: [String: Any] = ["description": "Success"]
            if let schema = op.success.schema { success["content"] = ["application/json": ["schema": schema]] }
            responses[op.success.status] = success
            for status in Self.statuses(of: op) {
                responses[status] = status.hasPrefix("2") ? success : Self.errorResponse(status)
            }
            var operation: [String: Any] = [
                "summary": op.summary, "tags": [op.tag], "operationId": "\(op.method)\(op.path)", "responses": responses,
            ]
            if !op.parameters.isEmpty { operation["parameters"] = op.parameters }
            if let body = op.body { operation["requestBody"] = ["required": op.bodyRequired, "content": [body.contentType: ["schema": body.schema]]] }
            if let role = op.role {
                operation["security"] = role == "viewer" ? [[:], ["bearer": []]] : [["bearer": []]]
                operation["x-required-role"] = role
            }
            paths[op.path, default: [:]][op.method] = operation
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": [
                "title": "StockCast API", "version": "0.1.0",
                "description": "Market data, ETL, models and forecasts. Errors are {\"detail\", \"code\"}. Reads are open unless auth.read_requires_key; writes need an operator key, key management an admin key.",
            ],
            "paths": paths,
            "components": ["schemas": Self.schemas, "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])
    }

    /// The statuses an operation can answer besides its success, from what it is (see the type's documentation).
    static func statuses(of op: Operation) -> [String] {
        var statuses = Set(op.errors)
        let keyChecked = op.role != nil
        if keyChecked { statuses.formUnion(["401", "429"]) }
        if op.role == "operator" || op.role == "admin" { statuses.insert("403") }
        if !op.parameters.isEmpty || op.body != nil { statuses.insert("400") }
        if op.body != nil { statuses.formUnion(["413", "422"]) }
        if op.path.contains("{") { statuses.insert("404") }
        if op.usesStore ?? keyChecked { statuses.insert("503") }
        return statuses.sorted()
    }

    private static func errorResponse(_ status: String) -> [String: Any] {
        var response: [String: Any] = ["description": "Error", "content": ["application/json": ["schema": ref("Error")]]]
        if status == "429" || status == "503" {
            response["headers"] = ["Retry-After": ["description": "Seconds to wait", "schema": ["type": "integer"]]]
        }
        return response
    }

    static func object(_ properties: [String: Any], required: [String]) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }

    nonisolated(unsafe) static let string: [String: Any] = ["type": "string"]
    nonisolated(unsafe) static let nullableString: [String: Any] = ["type": ["string", "null"]]
    nonisolated(unsafe) static let integer: [String: Any] = ["type": "integer"]
    nonisolated(unsafe) static let number: [String: Any] = ["type": "number"]
    nonisolated(unsafe) static let nullableNumber: [String: Any] = ["type": ["number", "null"]]
    nonisolated(unsafe) static let date: [String: Any] = ["type": "string", "format": "date"]
    nonisolated(unsafe) static let dateTime: [String: Any] = ["type": "string", "format": "date-time"]
    nonisolated(unsafe) static let nullableDateTime: [String: Any] = ["type": ["string", "null"], "format": "date-time"]
}
