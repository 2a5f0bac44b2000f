//! Decoding image files into [`Pixels`] for the hashing core.
//!
//! The default decoders are pure Rust (the `image` crate). With the
//! `libjpeg-turbo` cargo feature, JPEG can instead be decoded by the system
//! libjpeg-turbo, giving the same pixels as Meta's reference and therefore the
//! same hashes bit for bit.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::core::{Layout, Pixels};

/// Refuse images above this many pixels rather than attempt a huge allocation.
pub const MAX_PIXELS: u64 = 1 << 27;

/// Which decoder handles JPEG input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JpegDecoder {
    /// libjpeg-turbo when compiled with the `libjpeg-turbo` feature, else pure Rust.
    #[default]
    Auto,
    /// The pure-Rust decoder of the `image` crate (zune-jpeg).
    PureRust,
    /// libjpeg-turbo (error if the feature is not compiled in).
    LibjpegTurbo,
}

/// Decoding options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecodeOptions {
    /// Rotate/flip per the EXIF orientation tag. Off by default because the
    /// reference ignores it and hashes must agree with the reference.
    pub apply_exif_orientation: bool,
    pub jpeg: JpegDecoder,
}

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("unsupported or unrecognised image format (supported: PNG, JPEG, WebP, GIF, BMP)")]
    UnsupportedFormat,
    #[error("image is {width}x{height}, above the limit of {MAX_PIXELS} pixels")]
    TooLarge { width: u64, height: u64 },
    #[error("corrupt or truncated {format} image: {message}")]
    Corrupt {
        format: &'static str,
        message: String,
    },
    #[error("the libjpeg-turbo decoder was requested but harbour-pdq was built without the `libjpeg-turbo` feature")]
    TurboUnavailable,
}

fn format_name(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::WebP => "WebP",
        ImageFormat::Gif => "GIF",
        ImageFormat::Bmp => "BMP",
        _ => "image",
    }
}

/// True if the libjpeg-turbo decoder is compiled in.
pub const fn turbo_available() -> bool {
    cfg!(feature = "libjpeg-turbo")
}

/// Reads and decodes a file.
pub fn decode_file(path: &Path, opts: DecodeOptions) -> Result<Pixels, DecodeError> {
    let bytes = std::fs::read(path).map_err(|source| DecodeError::Io {
        path: path.display().to_string(),
        source,
    })?;
    decode_bytes(&bytes, opts)
}

/// Decodes an in-memory file. The format is detected from its content.
pub fn decode_bytes(bytes: &[u8], opts: DecodeOptions) -> Result<Pixels, DecodeError> {
    let format = image::guess_format(bytes).map_err(|_| DecodeError::UnsupportedFormat)?;
    if !matches!(
        format,
        ImageFormat::Png
            | ImageFormat::Jpeg
            | ImageFormat::WebP
            | ImageFormat::Gif
            | ImageFormat::Bmp
    ) {
        return Err(DecodeError::UnsupportedFormat);
    }
    let use_turbo = format == ImageFormat::Jpeg
        && match opts.jpeg {
            JpegDecoder::Auto => turbo_available(),
            JpegDecoder::PureRust => false,
            JpegDecoder::LibjpegTurbo => true,
        };
    if use_turbo {
        return decode_jpeg_turbo(bytes, opts.apply_exif_orientation);
    }
    decode_with_image(bytes, format, opts.apply_exif_orientation)
}

fn corrupt(format: ImageFormat, e: impl std::fmt::Display) -> DecodeError {
    DecodeError::Corrupt {
        format: format_name(format),
        message: e.to_string(),
    }
}

fn decode_with_image(
    bytes: &[u8],
    format: ImageFormat,
    orient: bool,
) -> Result<Pixels, DecodeError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| corrupt(format, e))?;
    let (w, h) = decoder.dimensions();
    check_size(u64::from(w), u64::from(h))?;
    let orientation = if orient {
        decoder.orientation().map_err(|e| corrupt(format, e))?
    } else {
        image::metadata::Orientation::NoTransforms
    };
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| corrupt(format, e))?;
    img.apply_orientation(orientation);
    Ok(from_dynamic(img))
}

fn check_size(w: u64, h: u64) -> Result<(), DecodeError> {
    if w.saturating_mul(h) > MAX_PIXELS {
        return Err(DecodeError::TooLarge {
            width: w,
            height: h,
        });
    }
    Ok(())
}

/// Keeps 8-bit grey as grey (the reference hashes grey values directly) and
/// everything else as RGB(A); deeper images are reduced to 8 bits.
fn from_dynamic(img: DynamicImage) -> Pixels {
    let (width, height) = (img.width() as usize, img.height() as usize);
    let (layout, data) = match img {
        DynamicImage::ImageLuma8(b) => (Layout::Gray, b.into_raw()),
        DynamicImage::ImageLumaA8(b) => (Layout::GrayAlpha, b.into_raw()),
        DynamicImage::ImageRgb8(b) => (Layout::Rgb, b.into_raw()),
        DynamicImage::ImageRgba8(b) => (Layout::Rgba, b.into_raw()),
        DynamicImage::ImageLuma16(_) | DynamicImage::ImageLumaA16(_) => {
            (Layout::Gray, img.to_luma8().into_raw())
        }
        other => (Layout::Rgb, other.to_rgb8().into_raw()),
    };
    Pixels {
        width,
        height,
        layout,
        data,
    }
}

#[cfg(feature = "libjpeg-turbo")]
fn decode_jpeg_turbo(bytes: &[u8], orient: bool) -> Result<Pixels, DecodeError> {
    use turbojpeg::{Colorspace, Decompressor, Image, PixelFormat};
    let err = |e: turbojpeg::Error| corrupt(ImageFormat::Jpeg, e);
    let mut d = Decompressor::new().map_err(err)?;
    let header = d.read_header(bytes).map_err(err)?;
    check_size(header.width as u64, header.height as u64)?;
    // Grey JPEGs stay grey, as in the reference (luma = grey value).
    let (format, layout) = if header.colorspace == Colorspace::Gray {
        (PixelFormat::GRAY, Layout::Gray)
    } else {
        (PixelFormat::RGB, Layout::Rgb)
    };
    let ch = layout.channels();
    let mut pixels = vec![0u8; header.width * header.height * ch];
    let image = Image {
        pixels: pixels.as_mut_slice(),
        width: header.width,
        pitch: header.width * ch,
        height: header.height,
        format,
    };
    d.decompress(bytes, image).map_err(err)?;
    let px = Pixels {
        width: header.width,
        height: header.height,
        layout,
        data: pixels,
    };
    if !orient {
        return Ok(px);
    }
    // Read the EXIF orientation with the pure-Rust parser, then transform.
    let orientation = image::codecs::jpeg::JpegDecoder::new(Cursor::new(bytes))
        .and_then(|mut dec| dec.orientation())
        .map_err(|e| corrupt(ImageFormat::Jpeg, e))?;
    let dyn_img = to_dynamic(px)?;
    let mut dyn_img = dyn_img;
    dyn_img.apply_orientation(orientation);
    Ok(from_dynamic(dyn_img))
}

#[cfg(feature = "libjpeg-turbo")]
fn to_dynamic(px: Pixels) -> Result<DynamicImage, DecodeError> {
    let (w, h) = (px.width as u32, px.height as u32);
    let bad = || corrupt(ImageFormat::Jpeg, "decoded buffer has the wrong size");
    Ok(match px.layout {
        Layout::Gray => {
            DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, px.data).ok_or_else(bad)?)
        }
        _ => DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, px.data).ok_or_else(bad)?),
    })
}

#[cfg(not(feature = "libjpeg-turbo"))]
fn decode_jpeg_turbo(_bytes: &[u8], _orient: bool) -> Result<Pixels, DecodeError> {
    Err(DecodeError::TurboUnavailable)
}
