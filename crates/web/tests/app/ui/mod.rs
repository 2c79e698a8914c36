use crate::contrast;

use crate::helpers::*;
use serde_json::json;

mod pages;
mod security;
mod style;
mod navigation;
