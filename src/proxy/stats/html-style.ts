// The stats page's style sheet: HAProxy's colour code for server states (green UP, yellow
// going down, orange going up, red DOWN, brown MAINT, blue DRAIN, grey not checked), in
// halo's own rules. Kept apart so html.ts stays about structure.

export const htmlStyle = `
body { font-family: arial, helvetica, sans-serif; font-size: 12px; color: #000; background: #fff; }
h1 { font-size: x-large; margin: 0 0 .3em; } h1 small { font-size: 60%; color: #666; }
h2 { font-size: large; font-style: italic; color: #6020a0; margin: 0; }
h3 { font-size: 15px; color: #b00040; background: #e8e8d0; margin: .3em 0; }
.hr { border: 0; border-bottom: 2px solid #000; }
table.info td { vertical-align: top; padding-right: 2em; white-space: nowrap; }
table.info ul { margin: .25em 0; }
table.tbl { border-collapse: collapse; width: 100%; }
table.tbl td, table.tbl th { border: 1px solid #999; padding: 2px 3px; font-size: 10px; white-space: nowrap; }
table.tbl td { text-align: right; }
table.tbl td.ac { text-align: center; }
table.px th.pxname { background: #b00040; color: #ffff40; font-weight: bold; width: 10%; text-align: left; }
table.px th.empty { border: none; background: #fff; }
a.px { color: #ffff40; text-decoration: none; }
a.lfsb { color: #000; text-decoration: none; }
.titre { background: #20d0d0; color: #000; font-weight: bold; text-align: center; }
.frontend, .backend { background: #e8e8d0; }
.active_up { background: #c0ffc0; } .backup_up { background: #b0d0ff; }
.active_going_down { background: #ffffa0; } .backup_going_down { background: #c060ff; }
.active_going_up { background: #ffd020; } .backup_going_up { background: #ff80ff; }
.active_down, .backup_down { background: #ff9090; }
.active_nolb, .active_draining { background: #20a0ff; } .backup_nolb { background: #90b0e0; }
.backup_draining { background: #cc9900; }
.active_no_check, .backup_no_check { background: #e0e0e0; }
.maintain { background: #c07820; }
table.lgd { border-collapse: collapse; } table.lgd td { border: 1px solid #999; padding: 2px; }
table.lgd td.noborder { border: none; white-space: nowrap; }
div.banner { padding: 3px; font-weight: bold; }
div.admin { margin: 3px 0 1em; }
@media (prefers-color-scheme: dark) {
  body { color: #e8e6e3; background: #131516; } a.lfsb { color: #e8e6e3; }
  .frontend, .backend { background: #2f3437; } table.px th.empty { background: #131516; }
  .active_up { background: #165900; } .active_down, .backup_down { background: #760000; }
  .active_going_down { background: #6c6c00; } .active_going_up { background: #b99200; }
  .maintain { background: #9a601a; } .active_draining { background: #006ab9; }
  .active_no_check, .backup_no_check { background: #2a2d2f; } .titre { background: #1aa6a6; }
}
`;
