import { useEffect, useState } from 'react'
import type { ImageLayout } from '../worker/protocol'

/** A packed thumbnail (gray or RGB) on a canvas. */
export function Thumbnail(props: { data: Uint8Array; layout: ImageLayout; label?: string }) {
  const { data, layout, label } = props
  const [canvas, setCanvas] = useState<HTMLCanvasElement | null>(null)
  useEffect(() => {
    const ctx = canvas?.getContext('2d')
    if (!ctx) return
    const { width, height, channels } = layout
    const image = ctx.createImageData(width, height)
    for (let i = 0; i < width * height; i++) {
      for (let k = 0; k < 3; k++)
        image.data[i * 4 + k] = data[i * channels + (channels === 1 ? 0 : k)]!
      image.data[i * 4 + 3] = 255
    }
    ctx.putImageData(image, 0, 0)
  }, [canvas, data, layout])
  return (
    <canvas
      ref={setCanvas}
      width={layout.width}
      height={layout.height}
      role="img"
      aria-label={label}
    />
  )
}

/** Thumbnails packed in `images` with their class names. */
export function ThumbnailGrid(props: {
  images: Uint8Array
  layout: ImageLayout
  captions: string[]
  titles?: string[]
  wrong?: boolean[]
}) {
  const { images, layout, captions } = props
  const size = layout.height * layout.width * layout.channels
  return (
    <div className="image-grid">
      {captions.map((caption, i) => (
        <div
          className={`image-cell ${props.wrong?.[i] ? 'wrong' : ''}`}
          key={i}
          title={props.titles?.[i] ?? caption}
        >
          <Thumbnail
            data={images.subarray(i * size, (i + 1) * size)}
            layout={layout}
            label={caption}
          />
          <span className="class-name">{caption}</span>
        </div>
      ))}
    </div>
  )
}
