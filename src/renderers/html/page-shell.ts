/**
 * The HTML document around a report's sections: styles, the small sorting script and the Content Security
 * Policy. Shared by every page focalscope writes (the report now, compare's paired page next), so they
 * look and behave alike. Everything is inline: the page fetches nothing and works from file://.
 */
import {createHash} from 'node:crypto'

import {escapeHtml} from './escape-html.js'

/**
 * Light and dark colours (prefers-color-scheme), print in black on white, and no horizontal overflow at any
 * width: wide tables scroll in their own box, charts scale down; on paper, table cells wrap instead.
 * Colours of text pass WCAG AA (4.5:1) on their background; the ▲ colour is Okabe–Ito's vermillion,
 * darkened on white and lightened on dark.
 */
const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1b;--muted:#555;--rule:#d4d4d4;--head:#f3f4f6;--link:#005a8c;--over:#b03c00}
@media (prefers-color-scheme:dark){:root{--bg:#17191d;--fg:#e9e9e9;--muted:#a9a9a9;--rule:#3b3f46;--head:#22252b;--link:#7cc4f0;--over:#ff9a5c}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:16px}
h1{font-size:1.55rem;margin:0 0 4px}
h2{font-size:1.2rem;margin:32px 0 8px;padding-top:8px;border-top:1px solid var(--rule)}
h3{font-size:1rem;margin:20px 0 6px}
p,li{max-width:75ch}
a{color:var(--link)}
.muted,.note{color:var(--muted)}
.files{overflow-wrap:anywhere;color:var(--muted);margin:0 0 12px}
nav ul{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;padding:0;margin:8px 0 0}
dl.summary{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 16px;margin:12px 0}
dl.summary dt{font-weight:600}
dl.summary dd{margin:0;overflow-wrap:anywhere}
.table-scroll{overflow-x:auto;max-width:100%;margin:8px 0 12px}
.table-scroll.tall{max-height:75vh;overflow-y:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
caption{text-align:left;color:var(--muted);padding:0 0 4px}
th,td{padding:3px 10px;border-bottom:1px solid var(--rule);white-space:nowrap;text-align:left}
thead th{background:var(--head);position:sticky;top:0}
tbody th{font-weight:normal}
.num{text-align:right}
th button{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;cursor:pointer;text-align:inherit}
th button:focus-visible{outline:2px solid var(--link);outline-offset:2px}
th[aria-sort=ascending] button::after{content:" \\2191"}
th[aria-sort=descending] button::after{content:" \\2193"}
.overweight{color:var(--over);font-weight:600}
figure{margin:16px 0;max-width:100%}
figure svg{display:block;max-width:100%;height:auto;color:var(--fg)}
figcaption{color:var(--muted);font-size:.9rem;max-width:75ch}
details{margin:6px 0}
summary{cursor:pointer;color:var(--link)}
footer{margin:40px 0 16px;color:var(--muted);font-size:.85rem}
@media (max-width:600px){body{font-size:14px}main{padding:10px}dl.summary{grid-template-columns:minmax(0,1fr)}dl.summary dt{margin-top:6px}}
@media print{:root{--bg:#fff;--fg:#000;--muted:#333;--rule:#999;--head:#eee;--link:#000;--over:#000}
body{font-size:10pt}main{max-width:none;padding:0}nav{display:none}
.table-scroll,.table-scroll.tall{overflow:visible;max-height:none}
thead th{position:static}table{font-size:8pt}th,td{white-space:normal;padding:2px 3px}figure,dl{break-inside:avoid}h2,h3{break-after:avoid}
th[aria-sort] button::after{content:none}summary{display:none}}
`

/**
 * Sorts a table.sortable by the clicked header (numbers by their full value in data-value, names
 * naturally; "–" always last; figures largest first on the first click), and opens every <details> before
 * printing. Plain ES5 so any current browser runs it.
 */
const SCRIPT = `(function(){'use strict';
function key(c){var v=c.getAttribute('data-value');if(v===null)return null;var n=Number(v);return v!==''&&!isNaN(n)?n:v}
var tables=document.querySelectorAll('table.sortable');
Array.prototype.forEach.call(tables,function(table){
var heads=table.querySelectorAll('thead th');
Array.prototype.forEach.call(heads,function(th,col){
th.querySelector('button').addEventListener('click',function(){
var now=th.getAttribute('aria-sort');var asc=now==='none'?!th.classList.contains('num'):now==='descending';
Array.prototype.forEach.call(heads,function(h){h.setAttribute('aria-sort','none')});
th.setAttribute('aria-sort',asc?'ascending':'descending');
var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=key(a.cells[col]),y=key(b.cells[col]);
if(x===null||y===null)return x===y?0:x===null?1:-1;
var o=typeof x==='number'&&typeof y==='number'?x-y:String(x).localeCompare(String(y),undefined,{numeric:true});
return asc?o:-o});
rows.forEach(function(r){body.appendChild(r)})})})});
window.addEventListener('beforeprint',function(){Array.prototype.forEach.call(document.querySelectorAll('details'),function(d){d.open=true})});
})();`

/** The script's hash for the Content Security Policy: the one script the page may run. */
const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64')

/**
 * Nothing may be fetched (default-src 'none'), and only the page's own script runs: an escaping slip in a
 * class name could not run a script or load anything.
 */
const CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'`

export interface PageContent {
  /** The document's title (the browser tab). */
  title: string
  /** The page's sections, already HTML. */
  body: string
  /** One line for the footer, e.g. "focalscope 0.1.0". */
  generator?: string
}

/** A whole HTML document around `body`. Every string from outside is escaped by the caller or here. */
export function renderPage(content: PageContent): string {
  const footer = [
    content.generator ? `Written by ${escapeHtml(content.generator)}.` : '',
    'A self-contained page: it loads nothing from the network. Every figure is the JSON report’s, rounded for display.',
  ]
    .filter((s) => s !== '')
    .join(' ')
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${escapeHtml(content.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    content.body,
    `<footer>${footer}</footer>`,
    '</main>',
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n')
}
