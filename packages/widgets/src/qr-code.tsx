import { useMemo } from "preact/hooks";
import { encodeQr, qrSvgPath } from "./qr.js";

/** The link as an inline SVG QR code (dark modules as one path), or nothing when it is too long to encode. */
export function QrCode(props: { text: string; label: string }) {
  const drawn = useMemo(() => {
    try {
      const code = encodeQr(props.text);
      return { side: code.size + 8, path: qrSvgPath(code) };
    } catch {
      return undefined;
    }
  }, [props.text]);
  if (!drawn) return null;
  return (
    <svg
      viewBox={`0 0 ${drawn.side} ${drawn.side}`}
      role="img"
      aria-label={props.label}
      shape-rendering="crispEdges"
    >
      <rect width={drawn.side} height={drawn.side} fill="#fff" />
      <path d={drawn.path} fill="#111" />
    </svg>
  );
}
