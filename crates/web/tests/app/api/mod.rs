
use crate::helpers::*;
use gongjiang_web::WebConfig;
use reqwest::Method;
use serde_json::{json, Value};

mod service;
mod auth;
mod orgs;
mod admin;
