// Written by `nianbao addin install --wps` with this user's path to workbench.json; empty here,
// so main.js falls back to the default place.
window.NIANBAO_CONFIG = window.NIANBAO_CONFIG || {};
