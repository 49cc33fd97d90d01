-- The staged answers become the reusable ones (received now), replacing older answers.
-- Only answers without a per-number error (those are not charged, and say nothing).
WITH written AS (
    INSERT INTO api_hlr_live_numbers AS c (
        custom_variable_1, error, request_parameters_telephone_number,
        request_parameters_cache_days_private, request_parameters_cache_days_global,
        request_parameters_save_to_cache, request_parameters_output_format, credits_spent,
        detected_telephone_number, formatted_telephone_number, telephone_number_type,
        live_status, original_network, original_network_details_name,
        original_network_details_mccmnc, original_network_details_country_name,
        original_network_details_country_iso3, original_network_details_area,
        original_network_details_country_prefix, current_network,
        current_network_details_name, current_network_details_mccmnc,
        current_network_details_country_name, current_network_details_country_iso3,
        current_network_details_country_prefix, is_ported, "timestamp"
    )
    SELECT DISTINCT ON (custom_variable_1)
        custom_variable_1, error, request_parameters_telephone_number,
        request_parameters_cache_days_private, request_parameters_cache_days_global,
        request_parameters_save_to_cache, request_parameters_output_format, credits_spent,
        detected_telephone_number, formatted_telephone_number, telephone_number_type,
        live_status, original_network, original_network_details_name,
        original_network_details_mccmnc, original_network_details_country_name,
        original_network_details_country_iso3, original_network_details_area,
        original_network_details_country_prefix, current_network,
        current_network_details_name, current_network_details_mccmnc,
        current_network_details_country_name, current_network_details_country_iso3,
        current_network_details_country_prefix, is_ported, now()
    FROM hlr_result_staging
    WHERE coalesce(upper(error), 'NONE') = 'NONE'
      AND custom_variable_1 ~ '^[1-9][0-9]{5,14}$'
    ORDER BY custom_variable_1
    ON CONFLICT (custom_variable_1) DO UPDATE SET
        error = EXCLUDED.error,
        request_parameters_telephone_number = EXCLUDED.request_parameters_telephone_number,
        request_parameters_cache_days_private = EXCLUDED.request_parameters_cache_days_private,
        request_parameters_cache_days_global = EXCLUDED.request_parameters_cache_days_global,
        request_parameters_save_to_cache = EXCLUDED.request_parameters_save_to_cache,
        request_parameters_output_format = EXCLUDED.request_parameters_output_format,
        credits_spent = EXCLUDED.credits_spent,
        detected_telephone_number = EXCLUDED.detected_telephone_number,
        formatted_telephone_number = EXCLUDED.formatted_telephone_number,
        telephone_number_type = EXCLUDED.telephone_number_type,
        live_status = EXCLUDED.live_status,
        original_network = EXCLUDED.original_network,
        original_network_details_name = EXCLUDED.original_network_details_name,
        original_network_details_mccmnc = EXCLUDED.original_network_details_mccmnc,
        original_network_details_country_name = EXCLUDED.original_network_details_country_name,
        original_network_details_country_iso3 = EXCLUDED.original_network_details_country_iso3,
        original_network_details_area = EXCLUDED.original_network_details_area,
        original_network_details_country_prefix = EXCLUDED.original_network_details_country_prefix,
        current_network = EXCLUDED.current_network,
        current_network_details_name = EXCLUDED.current_network_details_name,
        current_network_details_mccmnc = EXCLUDED.current_network_details_mccmnc,
        current_network_details_country_name = EXCLUDED.current_network_details_country_name,
        current_network_details_country_iso3 = EXCLUDED.current_network_details_country_iso3,
        current_network_details_country_prefix = EXCLUDED.current_network_details_country_prefix,
        is_ported = EXCLUDED.is_ported,
        "timestamp" = EXCLUDED."timestamp"
    RETURNING 1
)
SELECT count(*) AS written FROM written;
