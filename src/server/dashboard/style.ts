/** The dashboard's one style sheet, inline in every page, no external resources: the page must load inside WeCom on a township's network. */
export const STYLE = `
:root{--ink:#1f2328;--muted:#5b6472;--line:#e3e6ea;--bg:#f4f5f7;--card:#fff;--accent:#b4232a;--link:#1d4ed8;
--done:#d9f5e3;--on-pace:#eefaf2;--behind:#fdf0c4;--overdue:#fddcdc;--na:#eceef1}
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:var(--ink);background:var(--bg);-webkit-text-size-adjust:100%}
a{color:var(--link);text-decoration:none}
p{margin:4px 0}
b{font-weight:600}
.top{background:var(--accent);color:#fff;padding:12px 14px 10px}
.top h1{font-size:20px;margin:2px 0 4px;line-height:1.35}
.top p{margin:0;font-size:14px;opacity:.92}
.top .back{color:#fff;font-size:14px;display:inline-block;padding:2px 0}
.top .confidential{opacity:.8}
main{max-width:1200px;margin:0 auto;padding:10px}
section{background:var(--card);border-radius:10px;padding:12px;margin:0 0 10px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h2{font-size:17px;margin:0 0 8px}
.muted{color:var(--muted);font-size:14px}
.empty{color:var(--muted);padding:8px 0}
.big{font-size:18px}
.mark{color:#b42318;font-weight:600;white-space:nowrap}
.chips{list-style:none;margin:0 0 6px;padding:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:6px}
.chip{border-radius:8px;padding:8px 10px;font-size:15px}
.chip b{font-size:20px;float:right;line-height:1.2}
.l-done,.l-done-late{background:var(--done)}.l-on-pace{background:var(--on-pace)}.l-behind{background:var(--behind)}.l-overdue{background:var(--overdue)}
.scroll{overflow:auto;-webkit-overflow-scrolling:touch;border:1px solid var(--line);border-radius:8px;margin:6px 0}
.scroll.tall{max-height:78vh}
table{border-collapse:separate;border-spacing:0;font-size:14px}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:middle}
thead th{background:#f8f9fb;font-weight:600;white-space:nowrap}
.rank{width:100%}
.rank td,.rank th{text-align:center;padding:6px 5px}
.rank .name{text-align:left;white-space:nowrap}
.rank .mark{display:block;font-size:14px;line-height:1.2}
.rank tr.bottom td{background:#fff4f4}
.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.chart{display:block;width:100%;height:auto;margin:8px 0;border-radius:6px}
.grid th,.grid td{border-right:1px solid var(--line);text-align:center}
.grid thead th{position:sticky;top:0;z-index:2;min-width:5.5em;max-width:7.5em;white-space:normal;vertical-align:top}
.grid thead th a{display:block;color:var(--ink)}
.grid thead th b{display:block;color:var(--link)}
.grid thead .title{display:block;font-weight:400;line-height:1.3}
.grid thead .due{display:block;font-weight:400;color:var(--muted);font-size:14px;margin-top:2px;white-space:nowrap}
.grid tbody th{position:sticky;left:0;z-index:1;background:var(--card);text-align:left;white-space:nowrap;font-weight:500}
.grid thead th.corner{left:0;z-index:3;text-align:left;vertical-align:bottom}
.grid td{padding:0;white-space:nowrap}
.grid td a{display:block;padding:6px 6px;color:var(--ink);min-height:100%}
.grid td .icon{display:block;font-size:16px;line-height:1.3}
.grid td .amt{display:block;font-variant-numeric:tabular-nums}
.grid td.unreported .amt{color:var(--muted)}
.grid td.na{background:repeating-linear-gradient(135deg,var(--na) 0 6px,#f7f8fa 6px 12px)}
.cards{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:8px}
.card{border-radius:8px;padding:10px 12px;border:1px solid rgba(0,0,0,.06)}
.card-head{font-size:16px}
.badge{white-space:nowrap;font-weight:600}
.facts{font-size:15px}
.ledger{min-width:100%}
.ledger td{white-space:nowrap}
.ledger .note{white-space:normal;min-width:10em;max-width:22em;overflow-wrap:anywhere}
.ledger tr.reversal td{color:var(--muted)}
/* A phone shows each ledger row as a small block: time, kind, value; the note; who and where. */
@media (max-width:640px){
.scroll.ledger-wrap{overflow:visible;border:0;margin:0}
.ledger,.ledger tbody{display:block;min-width:0}
.ledger thead{display:none}
.ledger tr{display:flex;flex-wrap:wrap;gap:2px 12px;padding:8px 2px;border-bottom:1px solid var(--line)}
.ledger td{display:block;padding:0;border:0;white-space:normal}
.ledger td.note{flex-basis:100%;max-width:none;min-width:0}
.ledger td.note:empty{display:none}
.ledger td.by,.ledger td.platform{color:var(--muted);font-size:14px}
}
.message{max-width:560px;padding-top:40px}
.message h1{font-size:20px;margin:0 0 8px}
.button{display:inline-block;margin-top:8px;padding:8px 16px;border-radius:8px;background:var(--accent);color:#fff}
`;
