use crate::contrast;

use crate::helpers::*;
use serde_json::json;

mod forms;
mod navigation;
mod pages;
mod security;
mod style;
