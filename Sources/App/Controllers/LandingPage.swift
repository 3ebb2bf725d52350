/// `GET /`: until the web UI lands, a small page that says what this server is and links the API.
enum LandingPage {
    static let html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>StockCast</title>
        <style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
        code{background:#f0f2f4;padding:.1rem .3rem;border-radius:4px}a{color:#0b5cad}</style></head>
        <body><h1>StockCast</h1>
        <p>Market data, ETL and forecasting in one binary. The API:</p>
        <ul>
        <li><a href="/api/datasets">/api/datasets</a> — stored series (sample: GOOG on NASDAQ, ^GSPC on NYSE)</li>
        <li><a href="/api/datasets/GOOG/prices?limit=20">/api/datasets/GOOG/prices</a> — bars with indicators</li>
        <li><a href="/api/etl/runs">/api/etl/runs</a> — ETL run history</li>
        <li><a href="/api/etl/tickers">/api/etl/tickers</a> — tracked tickers</li>
        <li><a href="/openapi.json">/openapi.json</a> — every route</li>
        <li><a href="/ready">/ready</a> · <a href="/health">/health</a></li>
        </ul>
        <p>Routes that change state need <code>Authorization: Bearer &lt;key&gt;</code>; the first admin key is in
        <code>&lt;data_dir&gt;/admin.key</code>.</p>
        </body></html>
        """
}
