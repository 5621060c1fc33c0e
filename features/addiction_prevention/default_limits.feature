@CSW-ADD-3
Feature: Default daily limits by age band
  Where the guardian set no limit, the watch applies a default no longer than
  the profile's limit for the child's age band (it may be shorter). Each band
  is tried at its youngest and its oldest age, ages just outside the bands get
  at most the nearest band's limit, and the band changes on the birthday.

  Scenario Outline: The default limit holds at both ends of each age band
    Given the child is the <end> age of band "<band>"
    When the child uses an everyday app for one minute past the band's default daily limit
    And the child tries to open every gated app
    Then the watch refuses every one of them

    Examples:
      | band     | end      |
      | age-3-7  | youngest |
      | age-3-7  | oldest   |
      | age-8-13 | youngest |
      | age-8-13 | oldest   |

  Scenario Outline: A child outside the bands gets at most the nearest band's limit
    Given the child is a year <side> the profile's age bands
    When the child uses an everyday app for one minute past the band's default daily limit
    And the child tries to open an everyday app
    Then the watch refuses

    Examples:
      | side         |
      | younger than |
      | older than   |

  Scenario: The band changes on the birthday, not the day before
    Given the child turns the youngest age of band "age-8-13" tomorrow
    When the child uses an everyday app for one minute past the band's default daily limit
    And the child tries to open an everyday app
    Then the watch refuses
    When the birthday comes
    And the child uses an everyday app for one minute past the band's default daily limit
    And the child tries to open an everyday app
    Then the watch refuses
