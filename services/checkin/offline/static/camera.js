// Reading QR codes with the camera where the browser has BarcodeDetector.

let stream = null;
let timer = 0;

export async function cameraSupported() {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices?.getUserMedia) return false;
  try {
    return (await BarcodeDetector.getSupportedFormats()).includes("qr_code");
  } catch {
    return false;
  }
}

export function cameraRunning() {
  return stream !== null;
}

// Calls onCode(text) for every QR code seen; the same code again only after a pause, so a
// ticket held in front of the camera is one scan.
export async function startCamera(video, onCode) {
  stopCamera(video);
  const detector = new BarcodeDetector({ formats: ["qr_code"] });
  stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: "environment" },
    audio: false,
  });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  let last = "";
  let lastAt = 0;
  const look = async () => {
    if (!stream) return;
    try {
      const [found] = await detector.detect(video);
      const now = Date.now();
      if (found?.rawValue && (found.rawValue !== last || now - lastAt > 2500)) {
        last = found.rawValue;
        lastAt = now;
        onCode(found.rawValue);
      } else if (found?.rawValue) {
        lastAt = now;
      }
    } catch {
      // A frame that is not ready yet; the next one will be.
    }
    timer = setTimeout(look, 120);
  };
  look();
}

export function stopCamera(video) {
  clearTimeout(timer);
  for (const track of stream?.getTracks() || []) track.stop();
  stream = null;
  if (video) {
    video.srcObject = null;
    video.hidden = true;
  }
}
