use crate::helpers::*;
use gongjiang_web::WebConfig;
use reqwest::Method;
use serde_json::{json, Value};

mod admin;
mod auth;
mod lists;
mod orgs;
mod service;
