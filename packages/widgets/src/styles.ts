// The widgets' stylesheet, inside each shadow root. The host page's rules cannot reach in; what the host
// element inherits (color, font, line-height…) is reset on .v, so only the --vouch-* variables come through.
export const STYLES = `
:host{display:block;container-type:inline-size}
.v{all:initial;display:block;box-sizing:border-box;max-width:var(--vouch-max-width,560px);
font-family:var(--vouch-font,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif);
font-size:15px;line-height:1.5;color:var(--vouch-text,#111827);background:var(--vouch-bg,#fff);
border:1px solid var(--vouch-border,#e5e7eb);border-radius:var(--vouch-radius,12px);padding:24px;
text-align:left;-webkit-font-smoothing:antialiased}
.v *,.v *::before,.v *::after{box-sizing:border-box}
h2{font-size:20px;line-height:1.3;margin:0 0 4px;font-weight:700;outline:none}
h3{font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:var(--vouch-muted,#4b5563);margin:0 0 8px;font-weight:600}
p{margin:0}
.lead{color:var(--vouch-muted,#4b5563);margin-bottom:20px}
.field{margin-bottom:14px}
label{display:block;font-weight:600;font-size:14px;margin-bottom:4px}
.opt{font-weight:400;color:var(--vouch-muted,#4b5563)}
input,button{font:inherit;color:inherit;margin:0}
input[type=email],input[type=text]{display:block;width:100%;padding:10px 12px;border:1px solid var(--vouch-input-border,#9ca3af);
border-radius:calc(var(--vouch-radius,12px) * .6);background:var(--vouch-bg,#fff);min-height:44px}
input[aria-invalid=true]{border-color:var(--vouch-error,#b91c1c)}
.err{color:var(--vouch-error,#b91c1c);font-size:13px;margin-top:4px}
.consent{display:flex;gap:10px;align-items:flex-start;margin:4px 0 4px}
.consent input{width:18px;height:18px;margin-top:2px;flex:none;accent-color:var(--vouch-accent,#4f46e5)}
.consent label{font-weight:400;font-size:14px;margin:0}
.btn{display:inline-flex;align-items:center;justify-content:center;gap:6px;min-height:44px;padding:10px 18px;
border-radius:calc(var(--vouch-radius,12px) * .6);border:1px solid transparent;cursor:pointer;font-weight:600;
text-decoration:none;white-space:nowrap}
.primary{background:var(--vouch-accent,#4f46e5);color:var(--vouch-accent-text,#fff)}
.primary:hover{filter:brightness(.92)}
.primary[aria-disabled=true]{opacity:.7;cursor:progress}
.submit{width:100%;margin-top:16px}
:focus-visible{outline:3px solid var(--vouch-focus,#2563eb);outline-offset:2px}
.form-err{margin-top:12px;padding:10px 12px;border-radius:8px;background:#fef2f2;color:var(--vouch-error,#b91c1c);font-size:14px}
.notice{margin:0 0 16px}
.verify{margin:4px 0 20px;padding:14px 16px;border-radius:calc(var(--vouch-radius,12px) * .6);
background:var(--vouch-notice-bg,#fffbeb);border:1px solid var(--vouch-notice-border,#f59e0b);color:var(--vouch-text,#111827)}
.verify .actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}
.verify .actions .btn:not(.primary){background:var(--vouch-bg,#fff);border-color:var(--vouch-border,#d1d5db)}
.verify .meta{margin-top:8px}
.row{display:flex;gap:8px}
.row input{flex:1;min-width:0;background:var(--vouch-surface,#f9fafb)}
.share{display:flex;flex-wrap:wrap;gap:8px;margin:14px 0 0;padding:0;list-style:none}
.share a{background:var(--vouch-surface,#f3f4f6);color:var(--vouch-text,#111827);border-color:var(--vouch-border,#e5e7eb);
font-size:14px;min-height:40px;padding:8px 12px}
.share a:hover{border-color:var(--vouch-accent,#4f46e5)}
.dot{width:10px;height:10px;border-radius:50%;flex:none}
.stat{margin:0 0 16px;color:var(--vouch-muted,#4b5563)}
.stat strong{color:var(--vouch-text,#111827);font-size:18px}
.cols{display:flex;flex-wrap:wrap;gap:20px;margin-top:22px}
.qr{flex:0 0 148px;text-align:center;font-size:12px;color:var(--vouch-muted,#4b5563)}
.qr svg{display:block;width:148px;height:148px;border:1px solid var(--vouch-border,#e5e7eb);border-radius:8px;background:#fff;margin-bottom:4px}
.main{flex:1 1 240px;min-width:0}
ul.list{list-style:none;margin:0 0 18px;padding:0}
ul.list li{padding:8px 0;border-bottom:1px solid var(--vouch-border,#e5e7eb)}
ul.list li:last-child{border-bottom:0}
.bar{height:8px;border-radius:4px;background:var(--vouch-track,#e5e7eb);margin-top:6px;overflow:hidden}
.bar span{display:block;height:100%;background:var(--vouch-accent,#4f46e5);border-radius:4px}
.done{color:var(--vouch-success,#047857);font-weight:600}
.badge{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;margin-left:6px;
background:#ecfdf5;color:var(--vouch-success,#047857)}
.meta{color:var(--vouch-muted,#4b5563);font-size:13px}
.empty{color:var(--vouch-muted,#4b5563);font-size:14px;margin-bottom:18px}
.foot{margin-top:8px;font-size:13px;color:var(--vouch-muted,#4b5563)}
.linkish{background:none;border:0;padding:0;color:var(--vouch-accent,#4f46e5);text-decoration:underline;cursor:pointer;font-size:13px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skeleton{min-height:inherit;display:flex;align-items:center;justify-content:center;color:var(--vouch-muted,#4b5563)}
@container (max-width:420px){.v{padding:18px}.row{flex-direction:column}.qr{flex-basis:100%}.qr svg{margin:0 auto 4px}}
`;
