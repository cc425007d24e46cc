package io.dfq.dashboard;

import java.util.List;

/**
 * The HTML of each page: a static skeleton that its script fills from the JSON API.
 *
 * <p>The few values the server puts into a page (recipe names in a select, a trial key) are
 * escaped here; everything else arrives as JSON and is inserted by the scripts as text nodes.
 * No page has inline script, which lets the Content-Security-Policy forbid it: a value that
 * escaped escaping still could not run.
 */
final class Pages {

    /** Sent with every page: scripts from this server only, no inline script, no framing. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    private Pages() {}

    /** {@code /}: the leaderboard. */
    static String leaderboard(List<String> recipes) {
        return page("Leaderboard", "leaderboard.js", "", """
                <h1>Leaderboard</h1>
                <section id="live" hidden>
                  <h2>Running</h2>
                  <div id="live-recipes"></div>
                  <ul id="live-trials"></ul>
                </section>
                <form id="filters" autocomplete="off">
                  %s
                  <label>search <input name="q" type="search" placeholder="model, method, key prefix"></label>
                  <label>model <select name="model"><option value="">any</option></select></label>
                  <label>generator <select name="generator"><option value="">any</option></select></label>
                  <label>quantizer <select name="quantizer"><option value="">any</option></select></label>
                  <label>W <select name="wbits"><option value="">any</option></select></label>
                  <label>A <select name="abits"><option value="">any</option></select></label>
                  <label>protocol <select name="protocol"><option value="">any</option></select></label>
                  <label>rows <select name="limit"><option>25</option><option selected>50</option>\
                <option>100</option><option>500</option></select></label>
                  <label><input type="checkbox" id="differs"> only columns that differ</label>
                  <label><input type="checkbox" id="fp32" checked> FP32 reference</label>
                </form>
                <p id="summary" class="muted">loading...</p>
                <table id="board">
                  <thead><tr>
                    <th data-col="model" data-sort="model">model</th>
                    <th data-col="generator" data-sort="generator">generator</th>
                    <th data-col="quantizer" data-sort="quantizer">quantizer</th>
                    <th data-col="bits" data-sort="wbits">W/A</th>
                    <th data-col="protocol" data-sort="protocol">protocol</th>
                    <th data-col="variant">variant</th>
                    <th data-sort="n" class="num">seeds</th>
                    <th data-sort="top1" class="num">top1 %%</th>
                    <th data-sort="drop" class="num">drop</th>
                    <th data-sort="agreement" class="num">agreement %%</th>
                    <th data-sort="size_bytes" class="num">size</th>
                    <th data-sort="seconds" class="num">time</th>
                  </tr></thead>
                  <tbody></tbody>
                </table>
                <nav id="pager"><button type="button" id="prev">previous</button> <span id="range"></span>
                  <button type="button" id="next">next</button></nav>
                """.formatted(recipeSelect(recipes, "all recipes")));
    }

    /** {@code /charts}: accuracy vs bit-width, the Pareto front and the parallel coordinates. */
    static String charts(List<String> recipes) {
        return page("Charts", "charts.js", "", """
                <h1>Charts</h1>
                <form id="filters" autocomplete="off">%s</form>
                <h2>Accuracy vs bit-width per method</h2>
                <div id="bits-chart" class="chart"></div>
                <h2>Pareto front: accuracy vs model size</h2>
                <div id="pareto-chart" class="chart"></div>
                <h2>Trials in parallel coordinates</h2>
                <p class="muted">One line per DONE trial, one axis per config value that differs, then the metrics.</p>
                <div id="parallel-chart" class="chart tall"></div>
                """.formatted(recipeSelect(recipes, "all recipes")));
    }

    /** {@code /ablation}: variants x bit settings, with CSV and LaTeX downloads. */
    static String ablation(List<String> recipes) {
        return page("Ablation", "ablation.js", "", """
                <h1>Ablation</h1>
                <form id="filters" autocomplete="off">%s
                  <label>metric <select name="metric"><option value="top1">top1</option>\
                <option value="drop">drop from FP32</option><option value="agreement">agreement</option>\
                </select></label>
                  <a id="csv" href="/api/ablation.csv">CSV</a> <a id="tex" href="/api/ablation.tex">LaTeX</a>
                </form>
                <p class="muted">Rows: the config values that differ; columns: bit settings; cells: mean ± std over
                  seeds (n), the best of each column in bold.</p>
                <table id="ablation"><thead></thead><tbody></tbody></table>
                """.formatted(recipeSelect(recipes, "all recipes")));
    }

    /** {@code /trial/KEY}: one trial. */
    static String trial(String key) {
        String k = Html.escape(key);
        return page("Trial " + key, "trial.js", " data-key=\"" + k + "\"", """
                <h1>Trial <code>%s</code></h1>
                <dl id="facts"></dl>
                <pre id="error" hidden></pre>
                <h2>Sample grid</h2>
                <p id="no-grid" class="muted" hidden>no sample grid recorded</p>
                <img id="grid" alt="synthetic calibration samples" hidden>
                <h2>Stage timings</h2>
                <div id="stages-chart" class="chart small"></div>
                <h2>Synthesis loss terms</h2>
                <p id="no-loss" class="muted" hidden>no synthesis loss terms recorded</p>
                <div id="loss-chart" class="chart small"></div>
                <h2>Training curves</h2>
                <p id="no-curves" class="muted" hidden>no per-epoch curves recorded</p>
                <div id="curve-chart" class="chart small"></div>
                <h2>Artifacts</h2>
                <ul id="artifacts"></ul>
                <h2>Metrics</h2>
                <table id="metrics"><tbody></tbody></table>
                <h2>Resolved config</h2>
                <pre id="config"></pre>
                """.formatted(k));
    }

    /** An error page: the status and the reason, escaped. */
    static String error(int status, String reason) {
        return page("Error " + status, null, "", "<h1>Error " + status + "</h1><p id=\"reason\">"
                + Html.escape(reason) + "</p>");
    }

    private static String recipeSelect(List<String> recipes, String all) {
        StringBuilder select = new StringBuilder("<label>recipe <select name=\"recipe\"><option value=\"\">")
                .append(Html.escape(all)).append("</option>");
        for (String recipe : recipes) {
            String r = Html.escape(recipe);
            select.append("<option value=\"").append(r).append("\">").append(r).append("</option>");
        }
        return select.append("</select></label>").toString();
    }

    private static String page(String title, String script, String mainAttributes, String body) {
        String scripts = script == null ? "" : """
                <script src="/static/echarts.min.js" defer></script>
                <script src="/static/dfq.js" defer></script>
                <script src="/static/%s" defer></script>
                """.formatted(script);
        return """
                <!doctype html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s · dfq</title>
                <link rel="stylesheet" href="/static/dfq.css">
                %s</head>
                <body>
                <header><strong>dfq</strong>
                  <nav><a href="/">Leaderboard</a> <a href="/charts">Charts</a> <a href="/ablation">Ablation</a></nav>
                </header>
                <main%s>
                %s</main>
                </body>
                </html>
                """.formatted(Html.escape(title), scripts, mainAttributes, body);
    }
}
