// Pixels of a PNG (a screenshot), decoded in a blank page of the same browser, so no PNG decoder
// is needed in Node. Shared by the docs-site benchmark and the browser tests.

/** RGBA pixels of `png`: `{ width, height, data }` with 4 bytes per pixel. */
export async function pngPixels(browser, png) {
  const page = await browser.newPage();
  try {
    const { width, height, b64 } = await page.evaluate(async (src) => {
      const img = new Image();
      img.src = `data:image/png;base64,${src}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      let bin = '';
      for (let i = 0; i < px.length; i += 0x8000) bin += String.fromCharCode(...px.subarray(i, i + 0x8000));
      return { width: c.width, height: c.height, b64: btoa(bin) };
    }, png.toString('base64'));
    return { width, height, data: new Uint8Array(Buffer.from(b64, 'base64')) };
  } finally {
    await page.close();
  }
}

/** How many pixels of `png` differ from its most common colour (0: a blank picture). */
export async function inkPixels(browser, png) {
  const { data } = await pngPixels(browser, png);
  const counts = new Map();
  for (let i = 0; i < data.length; i += 4) {
    const k = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let most = 0;
  for (const n of counts.values()) if (n > most) most = n;
  return data.length / 4 - most;
}
